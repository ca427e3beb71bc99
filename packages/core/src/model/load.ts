import * as fs from 'node:fs';
import type { ServiceModel } from './types';

/** Reads a model file written by `dockside-model` at build time. */
export function loadModel(file: string): ServiceModel {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ServiceModel;
}
