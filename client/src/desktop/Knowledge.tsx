// What the candidate looks things up in while talking: products and services (features, benefits,
// prices), the knowledge base / FAQ with a search, and the call scripts. Opening an item goes on
// the timeline as a record-opened of its recordType (product, kb-article, script): assessors look
// for "script or product sheet opened before dialling" and for knowledge-base look-ups.
import { useEffect, useState, type FormEvent, type SyntheticEvent } from 'react';
import { Reading } from '../components/AsyncState.js';
import { Tabs } from '../components/Tabs.js';
import { describeError } from './ApiMessage.js';
import { crm, type KbArticle, type Product, type Script } from './crm-api.js';
import { useDesktop } from './DesktopContext.js';
import { price } from '../format.js';
import { Problem } from '../components/useAction.js';

export function Knowledge() {
  const { attemptId } = useDesktop();
  return (
    <Tabs
      label="Knowledge"
      className="sub-tabs"
      tabs={[
        {
          id: 'products',
          label: 'Products',
          content: (
            <Reading read={crm.products} id={attemptId} loading="Loading products…">
              {(list) => <ProductList products={list} />}
            </Reading>
          ),
        },
        { id: 'kb', label: 'Knowledge base', content: <KnowledgeBase /> },
        {
          id: 'scripts',
          label: 'Scripts',
          content: (
            <Reading read={crm.scripts} id={attemptId} loading="Loading scripts…">
              {(list) => <ScriptList scripts={list} />}
            </Reading>
          ),
        },
      ]}
    />
  );
}

/** Records the opening (not the closing) of a details element. */
function useOpened() {
  const { record } = useDesktop();
  return (recordType: string, recordId: string, label: string) => (e: SyntheticEvent<HTMLDetailsElement>) => {
    if (e.currentTarget.open) record('record-opened', { recordType, recordId, label });
  };
}

function ProductList({ products }: { products: Product[] }) {
  const opened = useOpened();
  const m = new Map<string, Product[]>();
  for (const p of products) m.set(p.category, [...(m.get(p.category) ?? []), p]);
  const byCategory = [...m.entries()];
  return (
    <div className="knowledge-list" data-testid="products">
      {byCategory.map(([category, list]) => (
        <div key={category}>
          <h3 className="group-heading">{category}</h3>
          {list.map((p) => (
            <details key={p.code} className="item" onToggle={opened('product', p.code, p.name)}>
              <summary>
                <span className="item-title">{p.name}</span>
                <span className="price">{price(p.pricePence, p.priceBasis)}</span>
              </summary>
              <p className="muted small">Code {p.code}</p>
              <h4>Features</h4>
              <ul>{p.features.map((f) => <li key={f}>{f}</li>)}</ul>
              <h4>Benefits</h4>
              <ul>{p.benefits.map((b) => <li key={b}>{b}</li>)}</ul>
            </details>
          ))}
        </div>
      ))}
    </div>
  );
}

function KnowledgeBase() {
  const { attemptId } = useDesktop();
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [articles, setArticles] = useState<KbArticle[]>();
  const [error, setError] = useState<string>();
  const opened = useOpened();
  // Searches as the candidate types (after a short pause) and at once on Enter.
  useEffect(() => {
    const t = window.setTimeout(() => setQuery(q.trim()), 300);
    return () => window.clearTimeout(t);
  }, [q]);
  useEffect(() => {
    let live = true;
    crm.knowledgeBase(attemptId, query).then(
      (a) => {
        if (!live) return;
        setArticles(a);
        setError(undefined);
      },
      (err: unknown) => live && setError(describeError(err)),
    );
    return () => {
      live = false;
    };
  }, [attemptId, query]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setQuery(q.trim());
  };
  return (
    <div className="knowledge-list">
      <form role="search" aria-label="Knowledge base search" className="inline" onSubmit={submit}>
        <label htmlFor="kb-q" className="visually-hidden">
          Search the knowledge base
        </label>
        <input id="kb-q" type="search" maxLength={100} placeholder="Search articles, e.g. moving, refund" value={q} onChange={(e) => setQ(e.target.value)} />
        <button type="submit">Search</button>
      </form>
      <Problem error={error} />
      <p className="muted small" role="status" data-testid="kb-count">
        {articles === undefined ? 'Loading…' : query ? `${articles.length} ${articles.length === 1 ? 'article matches' : 'articles match'} “${query}”` : `${articles.length} articles`}
      </p>
      {articles?.map((a) => (
        <details key={a.slug} className="item" onToggle={opened('kb-article', a.slug, a.title)}>
          <summary>
            <span className="item-title">{a.title}</span>
            <span className="muted small">{a.category}</span>
          </summary>
          <p className="article-body">{a.body}</p>
          {a.tags.length > 0 && <p className="muted small">Tags: {a.tags.join(', ')}</p>}
        </details>
      ))}
    </div>
  );
}

function ScriptList({ scripts }: { scripts: Script[] }) {
  const opened = useOpened();
  return (
    <div className="knowledge-list">
      {scripts.map((s) => (
        <details key={s.key} className="item" onToggle={opened('script', s.key, s.title)}>
          <summary>
            <span className="item-title">{s.title}</span>
          </summary>
          <p className="small">{s.purpose}</p>
          <ol className="script-steps">{s.steps.map((step, i) => <li key={i}>{step}</li>)}</ol>
        </details>
      ))}
    </div>
  );
}
