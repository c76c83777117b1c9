// Types of `videosdk-token/edge`.
export * from './index.js';
/** Instantiates the module once; resolves to the API. */
export function init(
  module?: WebAssembly.Module | BufferSource | Response | URL | string,
): Promise<typeof import('./index.js').default>;
