import { startPayerSimulator } from './payer-simulator';

// A stand-in for a clearinghouse and its payers, for `npm start`'s demo and the tests. Never production.
void startPayerSimulator({ port: Number(process.env['PORT'] ?? 3099), host: process.env['HOST'] ?? '127.0.0.1' }).then((sim) => {
  process.stdout.write(`payer simulator answering 270s on ${sim.url}/eligibility\n`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
});
