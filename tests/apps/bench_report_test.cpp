// SPDX-License-Identifier: MIT
// REPORT.md and report.json of `slope bench report` from a Report built in the test.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "bench_report.hpp"
#include "usage_error.hpp"

namespace {

using namespace bench_report;

Report fixture() {
  Workload w;
  w.id = "W9";
  w.what = "round numbers";
  w.parameters = 3;
  w.peak_rss_bytes = 2 * 1048576.0;
  w.replay_bytes_per_node = 57.5;
  w.replay_format_bytes_per_node = 25.5;
  w.methods = {{"function", 2e-6, std::nullopt},
               {"hand_gradient", 4e-6, 0.0},
               {"replay_gradient", 5e-6, 1.2345e-15},
               {"replay_hvp", 2.5e-3, std::nullopt},
               {"hessian", kUnmeasured, std::nullopt}};
  Report r;
  r.date = "2026-01-01 00:00 UTC";
  r.machine = "a \"quoted\" machine";
  r.workloads = {w};
  return r;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(BenchReportMarkdown, RowsCellsAndBars) {
  const std::string md = report_markdown(fixture());
  EXPECT_TRUE(has(md, "Measured 2026-01-01 00:00 UTC on a \"quoted\" machine.")) << md;
  // ratios to the function, to the hand gradient; en dashes where nothing was measured.
  EXPECT_TRUE(has(md, "| Slope replayed gradient | 5 µs | 2.50 | 1.25 | 1.2e-15 |\n")) << md;
  EXPECT_TRUE(has(md, "| Slope replayed HVP | 2.5 ms | 1250.00 | 625.00 | – |\n")) << md;
  EXPECT_TRUE(has(md, "| Slope dense Hessian (n HVPs) | – | – | – | – |\n")) << md;
  EXPECT_TRUE(has(md, "3 parameters; tape – bytes per op node;")) << md;
  EXPECT_TRUE(has(md, "compiled replay 57.5 bytes per node with the recording, 25.5 in its replay "
                      "format")) << md;
  EXPECT_TRUE(has(md, "peak memory of the process 2.0 MiB.")) << md;
  EXPECT_TRUE(has(md, "- W9: replayed HVP / replayed gradient 500.00 > 3\n")) << md;
  EXPECT_FALSE(has(md, "/ function before")) << md;
}

TEST(BenchReportMarkdown, CompareShowsTheOldRatioAndTheChange) {
  Report r = fixture();
  r.before = {{"W9/replay_gradient", 2.0}, {"W9/hand_gradient", 2.5}};
  const std::string md = report_markdown(r);
  EXPECT_TRUE(has(md, "| / function before | change |\n|---|--:|--:|--:|--:|--:|--:|\n")) << md;
  EXPECT_TRUE(has(md, "| Slope replayed gradient | 5 µs | 2.50 | 1.25 | 1.2e-15 | 2.00 | +25 % |"));
  EXPECT_TRUE(has(md, "| hand-written gradient | 4 µs | 2.00 | 1.00 | 0 | 2.50 | -20 % |"));
  EXPECT_TRUE(has(md, "| plain function | 2 µs | 1.00 | 0.50 | – | – | – |"));
}

TEST(BenchReportMarkdown, ScalingHeadingNamesTheSizesRun) {
  Report r = fixture();
  r.scaling =
      Scaling{{10, 1000, 1e6},
              {{{1e-7, 1e-6, 1e-7, 2e-7}}, {{1e-5, 1e-4, 1e-5, 2e-5}}, {{1e-2, 1e-1, 1e-2, 2e-2}}}};
  const std::string md = report_markdown(r);
  EXPECT_TRUE(has(md, "## Scaling: extended Rosenbrock, n = 10 … 1e+06\n")) << md;
  EXPECT_TRUE(has(md, "| 1e+06 | ")) << md;
}

TEST(BenchReportJson, RoundedNumbersIntegersAndNulls) {
  Report r = fixture();
  r.workloads[0].methods[1].seconds = 4.123456789e-6;
  const auto js = nlohmann::json::parse(report_json(r));
  EXPECT_EQ(js["machine"], "a \"quoted\" machine");
  const auto& w = js["workloads"][0];
  EXPECT_EQ(w["peak_rss_bytes"], 2097152);
  EXPECT_TRUE(w["tape_bytes_per_op"].is_null());
  EXPECT_EQ(w["methods"][0]["per_function"], 1);
  EXPECT_TRUE(w["methods"][0]["per_function"].is_number_integer());
  EXPECT_EQ(w["methods"][1]["seconds"], 4.12346e-6);
  EXPECT_EQ(w["methods"][2]["max_abs_diff"], 1.23e-15);
  EXPECT_TRUE(w["methods"][4]["seconds"].is_null());
  EXPECT_FALSE(js.contains("scaling_slopes"));
}

TEST(BenchReportJson, CompareReadsWhatTheReportWrites) {
  const auto file = std::filesystem::temp_directory_path() / "slope-bench-report-test.json";
  std::ofstream(file) << report_json(fixture());
  const auto old = old_ratios(file.string());
  std::filesystem::remove(file);
  EXPECT_EQ(old.size(), 4u);  // not the Hessian: it has no time
  EXPECT_EQ(old.at("W9/function"), 1.0);
  EXPECT_EQ(old.at("W9/replay_gradient"), 2.5);
  EXPECT_EQ(old.at("W9/replay_hvp"), 1250.0);
}

TEST(BenchReportInput, MalformedJsonIsAUsageErrorNamingTheFile) {
  const auto file = std::filesystem::temp_directory_path() / "W8-slope-test-broken.json";
  std::ofstream(file) << "{\"workload\": \"W8\",\n \"methods\": [\n";
  try {
    read_workload(file);
    ADD_FAILURE() << "no error";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()),
              "bench report: " + file.string() +
                  " is not valid JSON: parse error at line 3, column 1: syntax error while parsing "
                  "value - unexpected end of input; expected '[', '{', or a literal");
  }
  std::filesystem::remove(file);
}

}  // namespace
