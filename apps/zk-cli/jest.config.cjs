module.exports = { displayName: 'zk-cli', preset: '../../jest.preset.js' };
