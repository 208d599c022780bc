/** Every command of the CLI: one module each, registered in this order. */
import type { Command } from 'commander';
import { register as invoke } from './invoke';
import { register as run } from './run';
import { register as smoke } from './smoke';
import { register as sql } from './sql';
import { register as status } from './status';
import { register as twin } from './twin';
import { register as up } from './up';

export type Register = (program: Command) => void;

export const commands: Register[] = [invoke, run, smoke, sql, status, twin, up];
