module.exports = { displayName: 'consensus-lab', preset: '../../jest.preset.js' };
