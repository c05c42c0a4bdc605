module.exports = { displayName: 'data-tree', preset: '../../jest.preset.js' };
