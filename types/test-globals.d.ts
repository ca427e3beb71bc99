// Test code reads JSON answers it has just asserted the shape of.
interface Response {
  json(): Promise<any>;
}
