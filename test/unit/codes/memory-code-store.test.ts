import { MemoryCodeStore } from '../../../src/codes/memory-code-store.js';
import { codeStoreContract } from '../../contracts/code-store-cases.js';

codeStoreContract({
  name: 'MemoryCodeStore',
  clock: 'injected',
  fixture: () => {
    let now = Date.UTC(2026, 0, 1);
    let store: MemoryCodeStore | undefined;
    return {
      async open(settings, replicas = 1) {
        const opened = new MemoryCodeStore(settings, () => now);
        store = opened;
        return Array.from({ length: replicas }, () => opened);
      },
      async advance(ms) {
        now += ms;
      },
      // Serialises everything the store holds, Maps included.
      async dump() {
        return JSON.stringify(store, (_key, value: unknown) =>
          value instanceof Map ? [...value.entries()] : value,
        );
      },
      async close() {},
    };
  },
});
