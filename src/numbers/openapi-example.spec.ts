import 'reflect-metadata';
import { StoreNumberDto } from './dto/number.dto';
import { checkDigit } from './my-number';

describe('the OpenAPI example number (issue #16)', () => {
  it('has a check digit that fails, so no real number is ever shown in the docs', () => {
    const meta = Reflect.getMetadata('swagger/apiModelProperties', StoreNumberDto.prototype, 'number') as { example: string };
    const digits = meta.example.replace(/\D/g, '');
    expect(digits).toHaveLength(12);
    expect(String(checkDigit(digits.slice(0, 11)))).not.toBe(digits[11]);
    expect(String(checkDigit('12345678901'))).toBe('8'); // the former example, 1234 5678 9018, was a valid number
  });
});
