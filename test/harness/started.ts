/** A server started for the test run, with its connection details and how to stop it. */
export interface Started<T> {
  readonly value: T;
  stop(): Promise<void>;
}
