module.exports = { displayName: 'bytes', preset: '../../jest.preset.js' };
