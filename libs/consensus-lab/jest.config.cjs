module.exports = { displayName: 'consensus-lab-lib', preset: '../../jest.preset.js' };
