// The review page's waveform: caller and advisor channels (wavesurfer.js 8, splitChannels);
// dragging marks one range to silence and fills the form's start and end fields.
// Drawn from the outline the server reads (peaks and duration): the audio itself is fetched
// only when the officer plays it, through the page's <audio> element, which wavesurfer drives.
// Without an outline, wavesurfer fetches the whole audio and decodes it before drawing.
import WaveSurfer from "/static/vendor/wavesurfer/wavesurfer.esm.js";
import RegionsPlugin from "/static/vendor/wavesurfer/plugins/regions.esm.js";

const container = document.getElementById("waveform");
const status = document.getElementById("waveform-status");
const audio = document.getElementById("waveform-audio");
const start = document.getElementById("start");
const end = document.getElementById("end");

async function outline() {
  if (!container.dataset.peaksUrl) return {};
  try {
    const reply = await fetch(container.dataset.peaksUrl, { credentials: "same-origin" });
    if (!reply.ok) return {};
    const { peaks, duration } = await reply.json();
    return { peaks, duration, media: audio || undefined };
  } catch {
    return {};
  }
}

const regions = RegionsPlugin.create();
const wavesurfer = WaveSurfer.create({
  container,
  url: container.dataset.audioUrl,
  splitChannels: [{ waveColor: "#1d70b8" }, { waveColor: "#00703c" }],
  height: 80,
  cspNonce: container.dataset.cspNonce,
  plugins: [regions],
  ...(await outline()),
});

regions.enableDragSelection({ color: "rgba(212, 53, 28, 0.3)" });

function show(region) {
  start.value = region.start.toFixed(2);
  end.value = region.end.toFixed(2);
  status.textContent = `Marked ${start.value} to ${end.value} seconds.`;
}

regions.on("region-created", (region) => {
  for (const other of regions.getRegions()) {
    if (other !== region) other.remove();
  }
  show(region);
});
regions.on("region-updated", show);
wavesurfer.on("ready", (duration) => {
  container.dataset.ready = "true";
  status.textContent = `${duration.toFixed(1)} seconds. Press play to listen; drag across the waveform to mark a range.`;
});
wavesurfer.on("error", () => {
  status.textContent = "The audio could not be loaded: type the range instead.";
});
