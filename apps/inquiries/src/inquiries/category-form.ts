import {
  categoryFieldSchemas,
  categoryLabels,
  type FormField,
  type InquiryCategory,
  inquiryCategories,
  type InquiryForm,
} from '@sp/types';
import { z } from 'zod';

type Label = { en: string; ja: string };
type JsonProperty = {
  type?: string;
  format?: string;
  enum?: string[];
  maxLength?: number;
  label?: Label;
  options?: Record<string, Label>;
};

const typeOf = (p: JsonProperty): FormField['type'] => {
  if (p.enum) return 'choice';
  if (p.type === 'integer' || p.type === 'number') return 'integer';
  if (p.format === 'date') return 'date';
  if (p.format === 'uri') return 'url';
  return 'text';
};

/**
 * The fields of one category as a form draws them, read from the category's zod schema (the
 * same schema that validates a submission), so the form and the validation cannot differ.
 */
export function formFieldsOf(category: InquiryCategory): FormField[] {
  const json = z.toJSONSchema(categoryFieldSchemas[category], { io: 'input' }) as {
    properties?: Record<string, JsonProperty>;
    required?: string[];
  };
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {}).map(([name, p]) => {
    const type = typeOf(p);
    return {
      name,
      type,
      required: required.has(name),
      label: p.label ?? { en: name, ja: name },
      ...(p.maxLength !== undefined && type === 'text' ? { maxLength: p.maxLength } : {}),
      ...(p.enum
        ? {
            options: p.enum.map((value) => ({
              value,
              label: p.options?.[value] ?? { en: value, ja: value },
            })),
          }
        : {}),
    };
  });
}

export type AttachmentLimits = InquiryForm['attachments'];

/** `GET /inquiries/form`: every category with its fields, and the attachment limits. */
export const inquiryForm = (attachments: AttachmentLimits): InquiryForm => ({
  categories: inquiryCategories.map((category) => ({
    category,
    label: categoryLabels[category],
    fields: formFieldsOf(category),
  })),
  attachments,
  honeypot: 'website',
});
