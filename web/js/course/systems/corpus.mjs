// The course corpus of the text panels (systems/11.mjs, 12.mjs): every lesson.md of the course concatenated in
// course order — public text that ships with the site, so nothing is downloaded. In the browser the files come from
// the site (lessons/index.json lists them); under Node (the tests) from the repository's lessons/ folder. No DOM.

const SITE_ROOT = new URL('../../../', import.meta.url);  // web/js/course/systems/ -> the site root

export async function courseCorpus() {
  if (SITE_ROOT.protocol === 'file:') {
    const fs = await import('node:fs');
    const lessons = new URL('../lessons/', SITE_ROOT);  // web/ -> the repository root
    return fs.readdirSync(lessons).filter((d) => /^\d\d_/.test(d)).sort()
      .map((d) => new URL(`${d}/lesson.md`, lessons)).filter((u) => fs.existsSync(u))
      .map((u) => fs.readFileSync(u, 'utf8')).join('\n');
  }
  const index = await (await fetch(new URL('lessons/index.json', SITE_ROOT))).json();
  const texts = await Promise.all(index.map(async (lesson) => {
    const response = await fetch(new URL(`lessons/${lesson.dir}/lesson.md`, SITE_ROOT));
    return response.ok ? response.text() : '';
  }));
  return texts.filter(Boolean).join('\n');
}
