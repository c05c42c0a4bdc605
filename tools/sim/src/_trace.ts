import { runSeed } from './simulator';
const r = runSeed(Number(process.argv[2]), { traceMessages: true });
console.log(r.trace.join('\n'));
