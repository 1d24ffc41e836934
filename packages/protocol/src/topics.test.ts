import { describe, expect, it } from 'vitest';
import { deviceOfDownlinkTopic, deviceOfUplinkTopic, downlinkTopic, uplinkTopic } from './topics.js';

describe('topics', () => {
  it("give back the device id of each direction's topic, and nothing for the other direction", () => {
    expect(deviceOfUplinkTopic(uplinkTopic('HU-1'))).toBe('HU-1');
    expect(deviceOfDownlinkTopic(downlinkTopic('HU-1'))).toBe('HU-1');
    expect(deviceOfUplinkTopic(downlinkTopic('HU-1'))).toBeUndefined();
    expect(deviceOfDownlinkTopic(uplinkTopic('HU-1'))).toBeUndefined();
    expect(deviceOfDownlinkTopic('sde/v1/d//down')).toBeUndefined();
    expect(deviceOfDownlinkTopic('sde/v1/d/a/b/down')).toBeUndefined();
  });
});
