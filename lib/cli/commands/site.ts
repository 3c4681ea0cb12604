/** `iisctl site list | start|stop|restart NAME...`: see ../surgical.ts (library: iis.sites). */
import type { Runtime } from '../context';
import { surgicalCommand } from '../surgical';

export const siteCommand = (runtime: Runtime) => surgicalCommand(runtime, 'site');
