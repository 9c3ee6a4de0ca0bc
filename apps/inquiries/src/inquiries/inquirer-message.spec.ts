import { stateAfterInquirerMessage } from './inquirer-message';

describe('an inquirer message', () => {
  it('leaves a new inquiry new and an open one open', () => {
    expect(stateAfterInquirerMessage('new')).toBe('new');
    expect(stateAfterInquirerMessage('open')).toBe('open');
  });

  it('reopens a resolved inquiry and brings a waiting one back to the desk', () => {
    expect(stateAfterInquirerMessage('resolved')).toBe('open');
    expect(stateAfterInquirerMessage('waiting')).toBe('open');
  });

  it('is refused on a closed inquiry', () => {
    expect(() => stateAfterInquirerMessage('closed')).toThrow(
      expect.objectContaining({ code: 'conflict' }),
    );
  });
});
