"""The review page as one HTML document: a row per shot, its takes side by side with their first and last
frames and a player, and the buttons and note that decide (preview.review answers them)."""

from __future__ import annotations

from .fmt import esc

STYLE = """body{background:#0f1114;color:#e7e9ec;font:14px/1.45 system-ui,sans-serif;margin:0;padding:24px}
h1{font-size:18px;margin:0 0 4px}.shot{border-top:1px solid #2a2e35;padding:14px 0}.takes{display:flex;gap:12px;
flex-wrap:wrap}.take{background:#181b20;border:2px solid #2a2e35;border-radius:8px;padding:8px;width:340px}
.take.picked{border-color:#6fb3ff}.frames{display:flex;gap:4px}.frames img{width:164px;height:auto}
video{width:100%;margin-top:4px}button{background:#2a2e35;color:#e7e9ec;border:0;border-radius:6px;padding:5px 10px;
cursor:pointer;margin:4px 4px 0 0}.verdict{font-weight:600}.approved{color:#8fd18f}.rejected{color:#f0a39c}
textarea{width:min(700px,100%);background:#181b20;color:#e7e9ec;border:1px solid #2a2e35;border-radius:6px}
#said{min-height:1.4em;color:#f0c36f}"""

SCRIPT = """const token = document.querySelector('meta[name=review-token]').content;
async function send(what, body) {
  const answer = await fetch(what, {method: 'POST', headers: {'Content-Type': 'application/json',
    'X-Review-Token': token}, body: JSON.stringify(body)});
  const said = await answer.json();
  const words = said.error || said.why || (said.rebuilt ? 'the cut was rebuilt' : 'saved');
  document.getElementById('said').textContent = words;
  if (answer.ok && what !== 'note' && !said.why) location.reload();
}
document.addEventListener('click', e => {
  const b = e.target.closest('button[data-do]');
  if (!b) return;
  const shot = b.closest('.shot').dataset.shot;
  if (b.dataset.do === 'note') send('note', {shot, note: b.closest('.shot').querySelector('textarea').value});
  else if (b.dataset.do === 'pick') send('pick', {shot, take: Number(b.dataset.take)});
  else send(b.dataset.do, {shot});
});"""


def render(title: str, shots: list[dict], token: str, *, cut: bool) -> str:
    body = "".join(_shot(s) for s in shots)
    player = '<video id="cut" controls preload="metadata" src="/final.mp4"></video>' if cut else ""
    return (f"<!doctype html><html lang=en><meta charset=utf-8><meta name=review-token content=\"{esc(token)}\">"
            f"<title>review: {esc(title)}</title><style>{STYLE}</style><h1>Review: {esc(title)}</h1>"
            f"<p>Pick a take for each shot, approve or reject it, and leave a note. A pick rebuilds the cut; "
            f"approved shots go up a tier on <code>pipeline run --tier final</code>.</p><p id=said></p>"
            f"<div style=\"max-width:720px\">{player}</div>{body}<script>{SCRIPT}</script></html>")


def _shot(shot: dict) -> str:
    verdict = shot["verdict"]
    said = f'<span class="verdict {esc(verdict)}">{esc(verdict)}</span>' if verdict else "not reviewed"
    tier = f" · tier {esc(shot['tier'])}" if shot["tier"] else ""
    takes = "".join(_take(shot, t) for t in shot["takes"]) or "<p>footage: played as is</p>"
    return (f'<section class="shot" data-shot="{esc(shot["id"])}"><h2>{esc(shot["id"])} <small>take '
            f'{shot["picked"]} picked · {said}{tier}</small></h2><div class="takes">{takes}</div>'
            '<button data-do="approve">approve</button><button data-do="reject">reject</button>'
            '<button data-do="clear">clear verdict</button><br>'
            f'<textarea rows=2 placeholder="a note on this shot">{esc(shot["note"] or "")}</textarea><br>'
            '<button data-do="note">save note</button></section>')


def _take(shot: dict, take: dict) -> str:
    picked = " picked" if take["picked"] else ""
    if take["stills"]:
        first, last = take["stills"]
        frames = (f'<div class="frames"><img alt="first frame" src="still/{esc(first)}">'
                  f'<img alt="last frame" src="still/{esc(last)}"></div><video controls preload="none" '
                  f'src="clip/{esc(shot["id"])}/{take["take"]}"></video>')
    else:
        frames = f"<p>{esc(take['state'])}: {esc(take['why'])}</p>"
    button = ("<b>picked</b>" if take["picked"] else
              f'<button data-do="pick" data-take="{take["take"]}">pick take {take["take"]}</button>')
    return (f'<div class="take{picked}" data-take="{take["take"]}"><div>take {take["take"]} · '
            f'{esc(take["state"])} · ${take["cost_usd"]:.2f}</div>{frames}{button}</div>')
