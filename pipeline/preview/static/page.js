// Seek the player to a shot on click, highlight the shot under the playhead as the cut plays, and, when the
// page is served, follow a run: the server's event stream sends the pieces that changed (shot rows, the
// stats, problems and notes, the player for a new cut) and they are put in place without a reload.
(() => {
  "use strict";
  const FPS = 24;
  const $ = (id) => document.getElementById(id);
  const tc = $("tc"), now = $("now"), total = $("total"), inspector = $("inspector"), list = $("shots");
  const wide = window.matchMedia("(min-width: 1100px)");
  let rows = [], clips = [], starts = [], video = null, playhead = null, timeline = null;
  let runtime = Number(document.body.dataset.runtime) || 0;
  let current = -1;
  let virtual = 0; // the position shown when there is no cut to play

  const pad = (n) => String(n).padStart(2, "0");
  function timecode(t) {
    const frames = Math.round(t * FPS), s = Math.floor(frames / FPS);
    return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}:${pad(frames % FPS)}`;
  }

  // What the page holds now: read again after every update.
  function gather() {
    rows = [...list.querySelectorAll(".shot")];
    clips = [...document.querySelectorAll(".tl-clip")];
    starts = rows.map((row) => Number(row.dataset.start));
    playhead = $("playhead");
    timeline = $("timeline");
    current = -1;
  }

  // The shot under the playhead: the last one started (in a dissolve, the incoming shot).
  function shotAt(t) {
    let found = 0;
    starts.forEach((start, i) => { if (start <= t + 1 / (2 * FPS)) found = i; });
    return found;
  }

  function highlight(i, follow) {
    if (i === current) return;
    rows[current]?.classList.remove("playing");
    clips[current]?.classList.remove("playing");
    current = i;
    rows[i]?.classList.add("playing");
    clips[i]?.classList.add("playing");
    const row = rows[i];
    if (!row) return;
    now.textContent = `${pad(i + 1)} · ${row.dataset.id}`;
    inspect(row);
    if (follow && wide.matches) row.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  // The shot under the playhead, its prompt in full beside the picture: does the shot do what it asked?
  function inspect(row) {
    const parts = [".head", ".prompt", ".chips", ".problem"];
    const copies = parts.flatMap((sel) => [...row.querySelectorAll(sel)].map((node) => node.cloneNode(true)));
    inspector.replaceChildren(...copies);
    inspector.style.setProperty("--chain", row.style.getPropertyValue("--chain"));
  }

  function show(t, follow) {
    if (playhead && runtime > 0) playhead.style.left = `${Math.min(100, (100 * t) / runtime)}%`;
    tc.textContent = timecode(t);
    highlight(shotAt(t), follow);
  }

  function seek(t) {
    if (video) video.currentTime = t;
    else virtual = t;
    show(t, false);
  }

  function position() { return video ? video.currentTime : virtual; }

  // Clicks are handled where they land, so rows and clips put in place by an update need no wiring.
  document.addEventListener("click", (e) => {
    if (e.target.closest("summary")) return; // opening a shot's notes is not a seek
    const clip = e.target.closest(".tl-clip");
    const row = e.target.closest("#shots .shot");
    if (clip) seek(starts[clips.indexOf(clip)] ?? 0);
    else if (row) seek(starts[rows.indexOf(row)] ?? 0);
    else if (timeline && timeline.contains(e.target)) {
      const box = timeline.getBoundingClientRect();
      seek(Math.max(0, Math.min(1, (e.clientX - box.left) / box.width)) * runtime);
    }
  });

  document.addEventListener("keydown", (e) => {
    if (e.target.closest("input, textarea, select") || e.altKey || e.ctrlKey || e.metaKey) return;
    const at = shotAt(position());
    if (e.key === "Enter" && e.target.closest("#shots .shot")) {
      e.preventDefault();
      seek(starts[rows.indexOf(e.target.closest("#shots .shot"))]);
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      // like an editor: down to the next shot; up to this shot's start, or the previous one's if already there
      const to = e.key === "ArrowDown" ? Math.min(at + 1, rows.length - 1)
        : position() - starts[at] > 0.25 || at === 0 ? at : at - 1;
      seek(starts[to]);
      rows[to].focus({ preventScroll: !wide.matches });
    } else if (e.key === " " && video && e.target === document.body) {
      e.preventDefault();
      video.paused ? video.play() : video.pause();
    }
  });

  function showTotal() { total.textContent = `/ ${timecode(runtime)}`; }

  function attach(player) {
    video = player;
    if (!video) return;
    const frame = () => { show(video.currentTime, true); if (!video.paused) requestAnimationFrame(frame); };
    video.addEventListener("play", () => requestAnimationFrame(frame));
    video.addEventListener("timeupdate", () => show(video.currentTime, !video.paused));
    video.addEventListener("seeked", () => show(video.currentTime, false));
    video.addEventListener("loadedmetadata", () => {
      if (Number.isFinite(video.duration)) runtime = video.duration;
      showTotal();
      show(video.currentTime, false);
    });
  }

  // An update from the server: put each changed piece in place; a new cut takes the player's place at the
  // same position (paused or playing as it was).
  const applied = new Map(); // what each piece was last set to (a browser's own serialising differs)
  function swap(slot, html) {
    const node = $(slot);
    if (!node || applied.get(slot) === html) return;
    node.innerHTML = html;
    applied.set(slot, html);
  }

  function apply(update) {
    const at = position(), playing = video && !video.paused;
    const ids = update.shots.map((s) => s.id).join("\n");
    if (rows.map((r) => r.dataset.id).join("\n") !== ids) {
      list.innerHTML = update.shots.map((s) => s.html).join("\n");
    } else {
      update.shots.forEach((s, i) => {
        if (applied.get(`shot:${s.id}`) !== s.html) rows[i].outerHTML = s.html;
      });
    }
    update.shots.forEach((s) => applied.set(`shot:${s.id}`, s.html));
    const cut = update.cut ? String(update.cut.version) : "0";
    if (cut !== document.body.dataset.cutVersion) {
      document.body.dataset.cutVersion = cut;
      swap("slot-player", update.parts.player);
      attach($("player"));
      if (video) {
        video.addEventListener("loadedmetadata", () => {
          video.currentTime = Math.min(at, video.duration || at);
          if (playing) video.play();
        }, { once: true });
      }
    }
    for (const name of ["subtitle", "stats", "timeline", "findings", "progress", "footer"]) {
      swap(`slot-${name}`, update.parts[name]);
    }
    if (!video) runtime = update.runtime;
    showTotal();
    gather();
    show(position(), false);
    $("live").textContent = "following the run";
  }

  function problem(message) {
    const alert = $("alert");
    alert.replaceChildren();
    const head = document.createElement("strong");
    head.textContent = "The storyboard has a problem; the page shows its last good version:";
    const text = document.createElement("pre");
    text.textContent = message;
    alert.append(head, text);
    alert.hidden = false;
  }

  function follow() {
    if (!location.protocol.startsWith("http")) return; // a file: only a reload refreshes, and no review page
    $("review-link").hidden = false; // `pipeline preview --serve` serves the review page beside this one
    if (!window.EventSource) return;
    const events = new EventSource("events");
    events.addEventListener("open", () => { $("live").textContent = "following the run"; });
    events.addEventListener("update", (e) => {
      $("alert").hidden = true;
      apply(JSON.parse(e.data));
      document.body.dataset.version = e.lastEventId;
    });
    events.addEventListener("problem", (e) => {
      problem(JSON.parse(e.data).message);
      document.body.dataset.version = e.lastEventId;
    });
    events.addEventListener("error", () => { $("live").textContent = "reconnecting…"; });
  }

  gather();
  attach($("player"));
  showTotal();
  show(0, false);
  follow();
})();
