/**
 * The as-of control without a full reload: the year slider (or the date field) fetches the same
 * page for the new `asOf`, swaps the region marked `data-as-of-view`, and records the URL
 * (pushState), so the address bar always holds the citable URL of what is shown.
 */
export function enhanceAsOf(doc: Document): void {
  const form = doc.querySelector<HTMLFormElement>('form[data-as-of-form]');
  if (!form) return;
  const field = form.querySelector<HTMLInputElement>('input[name="asOf"]')!;
  const sliderBox = form.querySelector<HTMLElement>('[data-as-of-slider]');
  const slider = sliderBox?.querySelector<HTMLInputElement>('input[type="range"]');
  let pending: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const urlFor = (asOf: string): string => {
    const params = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (typeof v === 'string' && v !== '' && k !== 'asOf') params.set(k, v);
    if (asOf) params.set('asOf', asOf);
    // a cursor belongs to one view: a new date starts from the first page
    params.delete('cursor');
    const s = params.toString();
    return `${form.getAttribute('action') ?? location.pathname}${s ? `?${s}` : ''}`;
  };

  const show = async (url: string, push: boolean): Promise<void> => {
    pending?.abort();
    const controller = new AbortController();
    pending = controller;
    const view = doc.querySelector<HTMLElement>('[data-as-of-view]');
    view?.setAttribute('aria-busy', 'true');
    try {
      const res = await fetch(url, { headers: { Accept: 'text/html' }, signal: controller.signal });
      const next = new DOMParser().parseFromString(await res.text(), 'text/html');
      const nextView = next.querySelector('[data-as-of-view]');
      if (!view || !nextView) {
        location.assign(url);
        return;
      }
      view.replaceWith(doc.importNode(nextView, true));
      const state = next.querySelector('[data-as-of-state]');
      const here = form.querySelector('[data-as-of-state]');
      if (state && here) here.textContent = state.textContent;
      doc.title = next.title;
      if (push) history.pushState({ asOf: true }, '', url);
    } catch (error) {
      if ((error as Error).name !== 'AbortError') location.assign(url);
    } finally {
      if (pending === controller) doc.querySelector('[data-as-of-view]')?.removeAttribute('aria-busy');
    }
  };

  if (slider && sliderBox) {
    sliderBox.hidden = false;
    slider.addEventListener('input', () => {
      field.value = slider.value;
      slider.setAttribute('aria-valuetext', `as of ${slider.value}`);
      clearTimeout(timer);
      timer = setTimeout(() => void show(urlFor(slider.value), true), 120);
    });
  }
  form.addEventListener('submit', (event) => {
    if (field.value !== '' && !field.checkValidity()) return;
    event.preventDefault();
    const year = /^\d{4}/.exec(field.value)?.[0];
    if (slider && year) slider.value = year;
    void show(urlFor(field.value.trim()), true);
  });
  window.addEventListener('popstate', () => {
    const asOf = new URLSearchParams(location.search).get('asOf') ?? '';
    field.value = asOf;
    if (slider && asOf) slider.value = asOf.slice(0, 4);
    void show(location.pathname + location.search, false);
  });
}
