/** Every command of the CLI: one module each, registered in this order. */
import type { Command } from 'commander';
import { register as smoke } from './smoke';
import { register as sql } from './sql';
import { register as twin } from './twin';

export type Register = (program: Command) => void;

export const commands: Register[] = [smoke, sql, twin];
