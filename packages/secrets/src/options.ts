/** Options of the secrets plugin (none yet: the factory takes an object so they can grow). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SecretsOptions {}
