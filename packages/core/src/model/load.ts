import * as fs from 'node:fs';
import type { ServiceModel } from './types';

/** Reads a model file written by `dockside-model` at build time. */
export function loadModel(file: string): ServiceModel {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ServiceModel;
}

/**
 * A plugin's generated model as its protocol definition takes it: the model, loaded on first use,
 * and its operation names from the `<model>.operations.json` the generator writes beside it (boot
 * checks handlers against those without parsing the model).
 */
export function modelAt(file: string): { model: () => ServiceModel; operationNames: () => string[] } {
  return {
    model: () => loadModel(file),
    operationNames: () => {
      const names = file.replace(/\.json$/, '.operations.json');
      return fs.existsSync(names)
        ? (JSON.parse(fs.readFileSync(names, 'utf8')) as string[])
        : Object.keys(loadModel(file).operations);
    },
  };
}
