module.exports = { displayName: 'nest', preset: '../../jest.preset.js' };
