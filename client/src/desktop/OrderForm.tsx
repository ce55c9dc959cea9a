// The order form: one line per product (product, quantity, sale type), as many lines as the customer
// agrees to, with the monthly and one-off totals worked out from the catalogue as the candidate
// builds it. Prices come from the server's catalogue when the order is placed; an error the server
// names for a line shows under that line and nothing is saved.
import { useState, type FormEvent } from 'react';
import { crm, type NewOrderLine, type Order, type Product, type SaleType } from './crm-api.js';
import { FieldError, FormFailure, useFormFeedback } from './ApiMessage.js';
import { useDesktop } from './DesktopContext.js';
import { money, orderPrice, price } from '../format.js';
import { DataTable } from '../components/DataTable.js';
import { handled } from '../components/handled.js';

interface Line extends NewOrderLine {
  /** Stable React key for a line while others are added and removed. */
  key: number;
}

let nextKey = 1;
const blankLine = (products: Product[]): Line => ({ key: nextKey++, productCode: products[0]?.code ?? '', quantity: 1, saleType: 'standard' });

export function OrderForm({ customerId, products, onPlaced }: { customerId: number; products: Product[]; onPlaced: (order: Order) => Promise<void> }) {
  const { attemptId } = useDesktop();
  const [lines, setLines] = useState<Line[]>(() => [blankLine(products)]);
  const errors = useFormFeedback(lines.flatMap((_, i) => [`lines.${i}.productCode`, `lines.${i}.quantity`, `lines.${i}.saleType`]).concat('lines'));

  // The first product arrives after the form: a line with no product takes it.
  const shown = lines.map((l) => (l.productCode === '' && products[0] ? { ...l, productCode: products[0].code } : l));
  // A changed line is checked again on the next Place order: its old error goes.
  const change = (key: number, patch: Partial<NewOrderLine>) => {
    if (errors.any) errors.clear();
    setLines(shown.map((l) => (l.key === key ? { ...l, ...patch } : l)));
  };
  /** Where the line stands: the server names its fields by this (from 0), the screen counts from 1. */
  const at = (line: Line) => shown.indexOf(line);
  const byCode = new Map(products.map((p) => [p.code, p]));
  const part = (basis: 'monthly' | 'one_off') => shown.reduce((sum, l) => (byCode.get(l.productCode)?.priceBasis === basis ? sum + byCode.get(l.productCode)!.pricePence * (l.quantity || 0) : sum), 0);
  const monthly = part('monthly');
  const oneOff = part('one_off');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problems: Record<string, string> = {};
    const seen = new Set<string>();
    shown.forEach((l, i) => {
      if (!Number.isInteger(l.quantity) || l.quantity < 1 || l.quantity > 99) problems[`lines.${i}.quantity`] = 'Enter a quantity from 1 to 99.';
      if (seen.has(l.productCode)) problems[`lines.${i}.productCode`] = `${byCode.get(l.productCode)?.name ?? l.productCode} is on the order twice; change the quantity of the first line instead.`;
      seen.add(l.productCode);
    });
    const body: NewOrderLine[] = shown.map(({ productCode, quantity, saleType }) => ({ productCode, quantity, saleType }));
    await errors.submit(problems, async () => {
      const { order } = await crm.addOrder(attemptId, customerId, body);
      // The server records it on the attempt's timeline as it stores it.
      setLines([blankLine(products)]);
      await onPlaced(order);
    });
  };

  return (
    <form onSubmit={handled(submit)} noValidate aria-label="New order" data-view-form="order">
      <DataTable
        caption="Order lines"
        className="order-lines"
        rows={shown}
        rowKey={(l) => String(l.key)}
        rowProps={() => ({ 'data-testid': 'order-line' })}
        columns={[
          {
            header: 'Product',
            cell: (l) => (
              <>
                <select aria-label={`Product, line ${at(l) + 1}`} name={`line${at(l) + 1}Product`} value={l.productCode} onChange={(e) => change(l.key, { productCode: e.target.value })} {...errors.input(`lines.${at(l)}.productCode`, `order-${l.key}-product`)}>
                  {products.map((p) => (
                    <option key={p.code} value={p.code}>
                      {p.name} ({price(p.pricePence, p.priceBasis)})
                    </option>
                  ))}
                </select>
                <FieldError id={`order-${l.key}-product`} message={errors.of(`lines.${at(l)}.productCode`)} />
              </>
            ),
          },
          {
            header: 'Quantity',
            cell: (l) => (
              <>
                <input
                  aria-label={`Quantity, line ${at(l) + 1}`}
                  name={`line${at(l) + 1}Quantity`}
                  type="number"
                  min={1}
                  max={99}
                  value={Number.isNaN(l.quantity) ? '' : l.quantity}
                  onChange={(e) => change(l.key, { quantity: e.target.valueAsNumber })}
                  {...errors.input(`lines.${at(l)}.quantity`, `order-${l.key}-qty`)}
                />
                <FieldError id={`order-${l.key}-qty`} message={errors.of(`lines.${at(l)}.quantity`)} />
              </>
            ),
          },
          {
            header: 'Sale type',
            cell: (l) => (
              <select aria-label={`Sale type, line ${at(l) + 1}`} name={`line${at(l) + 1}SaleType`} value={l.saleType} onChange={(e) => change(l.key, { saleType: e.target.value as SaleType })}>
                <option value="standard">Standard</option>
                <option value="upsell">Up-sell</option>
                <option value="cross_sell">Cross-sell</option>
              </select>
            ),
          },
          {
            header: 'Remove',
            hideHeader: true,
            cell: (l) =>
              shown.length > 1 && (
                <button type="button" className="small" onClick={() => setLines(shown.filter((x) => x.key !== l.key))}>
                  Remove<span className="visually-hidden"> line {at(l) + 1}</span>
                </button>
              ),
          },
        ]}
      />
      <div className="row spread">
        <button type="button" className="small" onClick={() => setLines([...shown, blankLine(products)])} disabled={shown.length >= 20}>
          Add another product
        </button>
        <span className="small" data-testid="order-draft-total">
          {monthly + oneOff > 0 ? orderPrice({ monthlyPence: monthly, oneOffPence: oneOff, totalPence: monthly + oneOff }) : money(0)}
        </span>
      </div>
      <FieldError id="order-lines" message={errors.of('lines')} />
      <div className="row">
        <button type="submit">Place order</button>
      </div>
      <FormFailure feedback={errors} />
    </form>
  );
}
