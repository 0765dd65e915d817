// Draws the deletions-per-day chart from the table beside it (the table stays for everyone).
const rows = [...document.querySelectorAll("#deletions tbody tr")].reverse();
const column = (index) => rows.map((row) => Number(row.cells[index].textContent));
new window.Chart(document.getElementById("deletions-chart"), {
  type: "bar",
  data: {
    labels: rows.map((row) => row.cells[0].textContent),
    datasets: [
      { label: "Recordings", data: column(1), backgroundColor: "#1d70b8" },
      { label: "Twilio copies", data: column(2), backgroundColor: "#00703c" },
      { label: "Calls anonymised", data: column(3), backgroundColor: "#505a5f" },
    ],
  },
  options: { animation: false, maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
});
