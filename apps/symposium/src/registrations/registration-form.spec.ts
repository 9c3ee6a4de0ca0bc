import { AppError } from '@sp/platform';
import { type RegistrationFormField, registrationFormFieldSchema } from '@sp/types';
import { checkAnswers } from './registration-form';

const field = (f: Record<string, unknown>): RegistrationFormField =>
  registrationFormFieldSchema.parse(f);

const form = [
  field({ key: 'affiliation', type: 'text', label: { en: 'Affiliation' }, required: true }),
  field({
    key: 'role',
    type: 'select',
    label: { en: 'Role', ja: '役割' },
    options: [
      { value: 'faculty', label: { en: 'Faculty' } },
      { value: 'student', label: { en: 'Student' } },
    ],
  }),
  field({
    key: 'dietary',
    type: 'multiselect',
    label: { en: 'Dietary needs' },
    options: [
      { value: 'vegan', label: { en: 'Vegan' } },
      { value: 'halal', label: { en: 'Halal' } },
    ],
  }),
  field({ key: 'remarks', type: 'textarea', label: { ja: '備考' }, maxLength: 10 }),
  field({ key: 'photo', type: 'checkbox', label: { en: 'Photos OK' } }),
  field({ key: 'consent', type: 'consent', label: { en: 'I agree' }, required: true }),
];

const fieldsOf = (answers: Record<string, unknown>): string[] => {
  try {
    checkAnswers(form, answers);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    expect(error.code).toBe('validation-error');
    return (error.errors ?? []).map((e) => e.field).sort();
  }
  return [];
};

const valid = { affiliation: ' Oxford ', consent: true };

describe('checkAnswers', () => {
  it('keeps valid answers, trimmed, and drops blank optional text', () => {
    expect(
      checkAnswers(form, { ...valid, remarks: '', role: 'student', dietary: ['vegan'] }),
    ).toEqual({
      affiliation: 'Oxford',
      consent: true,
      role: 'student',
      dietary: ['vegan'],
    });
  });

  it('names a missing required field', () => {
    expect(fieldsOf({ consent: true })).toEqual(['answers.affiliation']);
    expect(fieldsOf({ affiliation: '   ', consent: true })).toEqual(['answers.affiliation']);
  });

  it('requires a required consent to be given', () => {
    expect(fieldsOf({ affiliation: 'x', consent: false })).toEqual(['answers.consent']);
    expect(fieldsOf({ affiliation: 'x' })).toEqual(['answers.consent']);
  });

  it('refuses a choice that is not an option, a repeated choice, and the wrong type', () => {
    expect(fieldsOf({ ...valid, role: 'dean' })).toEqual(['answers.role']);
    expect(fieldsOf({ ...valid, dietary: ['vegan', 'vegan'] })).toEqual(['answers.dietary']);
    expect(fieldsOf({ ...valid, dietary: ['kosher'] })).toEqual(['answers.dietary.0']);
    expect(fieldsOf({ ...valid, photo: 'yes' })).toEqual(['answers.photo']);
  });

  it('refuses text over its length and answers to fields the form does not have', () => {
    expect(fieldsOf({ ...valid, remarks: 'x'.repeat(11) })).toEqual(['answers.remarks']);
    expect(fieldsOf({ ...valid, shoeSize: '42' })).toEqual(['answers.shoeSize']);
  });

  it('accepts anything-free answers for a form without fields, and nothing else', () => {
    expect(checkAnswers([], {})).toEqual({});
    expect(() => checkAnswers([], { x: 'y' })).toThrow(AppError);
  });
});

describe('the field configuration', () => {
  it('needs options for a choice, none otherwise, and a label in some language', () => {
    expect(
      registrationFormFieldSchema.safeParse({ key: 'role', type: 'select', label: { en: 'R' } })
        .success,
    ).toBe(false);
    expect(
      registrationFormFieldSchema.safeParse({
        key: 'a',
        type: 'text',
        label: { en: 'A' },
        options: [{ value: 'x', label: { en: 'X' } }],
      }).success,
    ).toBe(false);
    expect(
      registrationFormFieldSchema.safeParse({ key: 'a', type: 'text', label: {} }).success,
    ).toBe(false);
    expect(
      registrationFormFieldSchema.safeParse({ key: 'Bad-Key', type: 'text', label: { en: 'A' } })
        .success,
    ).toBe(false);
  });
});
