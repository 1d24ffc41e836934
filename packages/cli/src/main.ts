/** `sde`: the command line of the monitoring center, its simulator and its checks. */
import { runCli } from './cli.js';

process.exitCode = await runCli(process.argv.slice(2), process.env);
