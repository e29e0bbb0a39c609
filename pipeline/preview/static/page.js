// Seek the player to a shot on click, and highlight the shot under the playhead as the cut plays.
(() => {
  "use strict";
  const FPS = 24;
  const video = document.getElementById("player");
  const rows = [...document.querySelectorAll("#shots .shot")];
  const clips = [...document.querySelectorAll(".tl-clip")];
  const starts = rows.map((row) => Number(row.dataset.start));
  const playhead = document.getElementById("playhead");
  const timeline = document.getElementById("timeline");
  const tc = document.getElementById("tc");
  const now = document.getElementById("now");
  const total = document.getElementById("total");
  const inspector = document.getElementById("inspector");
  const wide = window.matchMedia("(min-width: 1100px)");
  let runtime = Number(document.body.dataset.runtime) || 0;
  let current = -1;
  let virtual = 0; // the position shown when there is no cut to play

  const pad = (n) => String(n).padStart(2, "0");
  function timecode(t) {
    const frames = Math.round(t * FPS), s = Math.floor(frames / FPS);
    return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}:${pad(frames % FPS)}`;
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

  rows.forEach((row, i) => {
    row.addEventListener("click", () => seek(starts[i]));
    row.addEventListener("keydown", (e) => {
      if (e.key === "Enter") { e.preventDefault(); seek(starts[i]); }
    });
  });
  clips.forEach((clip, i) => clip.addEventListener("click", (e) => { e.stopPropagation(); seek(starts[i]); }));
  timeline?.addEventListener("click", (e) => {
    const box = timeline.getBoundingClientRect();
    seek(Math.max(0, Math.min(1, (e.clientX - box.left) / box.width)) * runtime);
  });

  document.addEventListener("keydown", (e) => {
    if (e.target.closest("input, textarea, select") || e.altKey || e.ctrlKey || e.metaKey) return;
    const at = shotAt(position());
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
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

  if (video) {
    const frame = () => { show(video.currentTime, true); if (!video.paused) requestAnimationFrame(frame); };
    video.addEventListener("play", () => requestAnimationFrame(frame));
    video.addEventListener("timeupdate", () => show(video.currentTime, !video.paused));
    video.addEventListener("seeked", () => show(video.currentTime, false));
    video.addEventListener("loadedmetadata", () => {
      if (Number.isFinite(video.duration)) runtime = video.duration;
      total.textContent = `/ ${timecode(runtime)}`;
      show(video.currentTime, false);
    });
  }
  total.textContent = `/ ${timecode(runtime)}`;
  show(0, false);
})();
