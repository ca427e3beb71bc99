/** True for a Date from any realm (structuredClone and vm contexts make foreign Dates). */
export const isDate = (v: unknown): v is Date => Object.prototype.toString.call(v) === '[object Date]';
