import * as dev from './dev';
import * as runtime from './index';

describe('the package entries', () => {
  it('keeps development tools and test helpers out of the runtime entry', () => {
    for (const name of ['mintDevStaffToken', 'loadDevKey', 'DEV_STAFF_ISSUER', 'listRoutes'])
      expect(runtime).not.toHaveProperty(name);
  });

  it('gives the development tools at @sp/platform/dev', () => {
    expect(typeof dev.mintDevStaffToken).toBe('function');
    expect(typeof dev.loadDevKey).toBe('function');
    expect(dev.DEV_STAFF_ISSUER).toBe('urn:sp:dev-staff-issuer');
  });
});
