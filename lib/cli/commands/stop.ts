/** `iisctl stop` (iisreset /STOP): see ../operation.ts. */
import type { Runtime } from '../context';
import { operationCommand } from '../operation';

export const stopCommand = (runtime: Runtime) => operationCommand(runtime, 'stop');
