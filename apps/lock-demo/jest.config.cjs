module.exports = { displayName: 'lock-demo', preset: '../../jest.preset.js' };
