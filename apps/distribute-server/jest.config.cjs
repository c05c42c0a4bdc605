module.exports = { displayName: 'distribute-server', preset: '../../jest.preset.js' };
