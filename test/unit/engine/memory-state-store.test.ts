import { MemoryStateStore } from '../../../src/engine/memory-state-store.js';
import { stateStoreContract } from '../../contracts/state-store-cases.js';

stateStoreContract({
  name: 'MemoryStateStore',
  fixture: () => {
    let now = Date.UTC(2026, 0, 1);
    return {
      async open(options, replicas = 1) {
        const store = new MemoryStateStore(() => now, options);
        return Array.from({ length: replicas }, () => store);
      },
      async advance(ms) {
        now += ms;
      },
      async close() {},
    };
  },
});
