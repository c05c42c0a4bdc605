module.exports = { displayName: 'zab', preset: '../../jest.preset.js' };
