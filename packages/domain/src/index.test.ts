import { describe, expect, it } from 'vitest';
import * as domain from './index.js';

describe('public API', () => {
  it('exports the functions other packages build on', () => {
    for (const name of [
      'validateSchedule',
      'isAwayAllowed',
      'awayWindowsBetween',
      'decisionDeadline',
      'readinessDeadline',
      'installationDeadline',
      'checkEligibility',
      'transition',
      'openTasks',
      'sentenceEnd',
      'validateZone',
      'containsPoint',
      'distanceToBorderMeters',
      'checkDeviceAssignment',
      'validateCourtOrderVersion',
      'validateApplication',
      'polishPublicHolidays',
    ]) {
      expect(typeof (domain as Record<string, unknown>)[name], name).toBe('function');
    }
  });
});
