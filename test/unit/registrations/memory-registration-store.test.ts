import { MemoryRegistrationStore } from '../../../src/registrations/memory-registration-store.js';
import { describeRegistrationStoreContract } from '../../contracts/registration-store-cases.js';

describeRegistrationStoreContract('memory', {
  open: async (now) => {
    const store = new MemoryRegistrationStore(now);
    return {
      store,
      countRecords: async (chatKey) => ((await store.get(chatKey)) ? 1 : 0),
    };
  },
});
