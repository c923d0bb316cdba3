import { MemoryAuditTrail } from '../../../src/audit/memory-audit-trail.js';
import { describeAuditTrailContract } from '../../contracts/audit-trail-cases.js';

describeAuditTrailContract('memory', {
  open: async ({ logger, now, syslog }) => ({
    trail: new MemoryAuditTrail(logger, syslog, now),
  }),
});
