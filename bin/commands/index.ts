/** Every command of the CLI: one module each, registered in this order. */
import type { Command } from 'commander';
import { register as init } from './init';
import { register as invoke } from './invoke';
import { register as plan } from './plan';
import { register as run } from './run';
import { register as smoke } from './smoke';
import { register as sql } from './sql';
import { register as status } from './status';
import { register as twin } from './twin';
import { register as up } from './up';

/** The fan-out file's commands: write one (init), and say what it makes exist and costs (plan). */
export const fileCommands: Register[] = [init, plan];

export type Register = (program: Command) => void;

export const commands: Register[] = [invoke, run, smoke, sql, status, twin, up];
