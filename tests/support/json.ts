// A JSON body as the tests read it: a reply or a scenario file whose fields the test reaches into
// and checks with expect(). The one `any` in the tests is here, so a test's reads type-check
// without a schema per reply (the server's own schemas are what the tests exercise).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;
