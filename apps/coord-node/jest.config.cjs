module.exports = { displayName: 'coord-node', preset: '../../jest.preset.js' };
