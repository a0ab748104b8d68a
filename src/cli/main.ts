#!/usr/bin/env node
import { composeCli } from '../app/compose-cli';
import { processIo, runCli } from './plumbing';

void runCli(composeCli(processIo), process.argv, processIo);
