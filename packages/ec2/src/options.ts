/** Options of the ec2 plugin (each gets a CLI flag when it is user-facing). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Ec2Options {}
