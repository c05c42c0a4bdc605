module.exports = { displayName: 'distribute-client', preset: '../../jest.preset.js' };
