// SPDX-License-Identifier: MIT
// CSV loading: chosen columns, quoting, line endings, and the errors that name the file, line
// and column.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <slope/core/error.hpp>
#include <slope/models/dataset.hpp>

#include "dataset_fixtures.hpp"

namespace {

using dataset_fixtures::column;
using dataset_fixtures::error_of;
using dataset_fixtures::values;
using slope::models::Dataset;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

/// Writes `text` byte for byte to a file in the test's temporary directory; returns its path.
std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "slope_datasets_test_" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  EXPECT_TRUE(out) << "cannot write " << path;
  return path;
}

TEST(LoadCsv, ReadsChosenColumnsAndIgnoresTextColumns) {
  const std::string path = write_file("good.csv",
                                      "name,weight,mpg,origin\n"
                                      "chevrolet chevelle malibu,3504,18,USA\n"
                                      "  buick skylark 320 ,  3693 , 15\t,USA\n"
                                      "vw rabbit,+1.835e3,29.5,Europe\n"
                                      "datsun 510,\"2288\",27,Japan\n");
  const Dataset d = slope::models::load_csv(path, {"mpg", "weight"}, "mpg");
  EXPECT_EQ(d.name, path);
  EXPECT_THAT(d.features, ElementsAre("mpg", "weight"));
  EXPECT_EQ(d.label, "mpg");
  ASSERT_EQ(d.size(), 4u);
  ASSERT_EQ(d.dimension(), 2u);
  EXPECT_THAT(column(d.X, 0), ElementsAre(18, 15, 29.5, 27));
  EXPECT_THAT(column(d.X, 1), ElementsAre(3504, 3693, 1835, 2288));
  EXPECT_THAT(values(d.y), ElementsAre(18, 15, 29.5, 27));
}

TEST(LoadCsv, QuotedFieldsMayHoldCommasQuotesAndNewlines) {
  const std::string path = write_file("quoted.csv",
                                      "name,\"weight, lb\",mpg\n"
                                      "\"ford, galaxie 500\",4341,15\n"
                                      "\"the \"\"big\"\" one\",5140,13\n"
                                      "\"two\nlines\",  \"2130\" ,27\n"
                                      "amc gremlin,2648,bad\n");
  // The cell spanning lines 4-5 counts both, so the bad cell is on line 6.
  EXPECT_EQ(error_of([&] { slope::models::load_csv(path, {"weight, lb"}, "mpg"); }),
            "slope::models::load_csv: " + path + ":6: column 'mpg': 'bad' is not a number");

  const std::string good = write_file("quoted_good.csv",
                                      "name,\"weight, lb\",mpg\n"
                                      "\"ford, galaxie 500\",4341,15\n"
                                      "\"the \"\"big\"\" one\",5140,13\n"
                                      "\"two\nlines\",  \"2130\" ,27\n");
  const Dataset d = slope::models::load_csv(good, {"weight, lb"}, "mpg");
  ASSERT_EQ(d.size(), 3u);
  EXPECT_THAT(d.features, ElementsAre("weight, lb"));
  EXPECT_THAT(column(d.X, 0), ElementsAre(4341, 5140, 2130));
  EXPECT_THAT(values(d.y), ElementsAre(15, 13, 27));
}

TEST(LoadCsv, CrlfLineEndingsBlankLinesAndNoFinalNewline) {
  const std::string path = write_file("crlf.csv",
                                      "\xEF\xBB\xBF"
                                      "weight,mpg\r\n"
                                      "3.5,18\r\n"
                                      "\r\n"
                                      "\"3.69\",15\r\n"
                                      "2.37,24");
  const Dataset d = slope::models::load_csv(path, {"weight"}, "mpg");
  ASSERT_EQ(d.size(), 3u);
  EXPECT_THAT(column(d.X, 0), ElementsAre(3.5, 3.69, 2.37));
  EXPECT_THAT(values(d.y), ElementsAre(18, 15, 24));

  // Line numbers count the blank line, and the quoted cell carries no '\r'.
  const std::string bad = write_file("crlf_bad.csv", "weight,mpg\r\n3.5,18\r\n\r\nabc,15\r\n");
  EXPECT_EQ(error_of([&] { slope::models::load_csv(bad, {"weight"}, "mpg"); }),
            "slope::models::load_csv: " + bad + ":4: column 'weight': 'abc' is not a number");
}

TEST(LoadCsv, CannotOpenGivesTheReason) {
  const std::string path = ::testing::TempDir() + "slope_datasets_test_no_such_file.csv";
  const std::string e = error_of([&] { slope::models::load_csv(path, {"weight"}, "mpg"); });
  EXPECT_EQ(e, "slope::models::load_csv: cannot open '" + path + "': No such file or directory");
  const std::string dir = ::testing::TempDir();
  EXPECT_EQ(error_of([&] { slope::models::load_csv(dir, {"weight"}, "mpg"); }),
            "slope::models::load_csv: cannot open '" + dir + "': it is a directory");
}

TEST(LoadCsv, CannotOpenWithoutPermission) {
  const std::string path = write_file("no_read.csv", "weight,mpg\n1,2\n");
  std::filesystem::permissions(path, std::filesystem::perms::none);
  const std::string expected =
      "slope::models::load_csv: cannot open '" + path + "': Permission denied";
  const auto message = [&] {
    return error_of([&] { slope::models::load_csv(path, {"weight"}, "mpg"); });
  };
  if (geteuid() != 0) {
    EXPECT_EQ(message(), expected);
  } else {
    // root opens any file whatever its mode: the load runs in a child that has become the
    // unprivileged user nobody (65534), and its exit code says whether the message was right.
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0)
      _exit(setgid(65534) == 0 && setuid(65534) == 0 && message() == expected ? 0 : 1);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "as nobody, load_csv did not say '" << expected << "'";
  }
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
}

TEST(LoadCsv, EmptyFileHasNoHeader) {
  for (const std::string text : {"", "\n\n", " \r\n\t\r\n"}) {
    const std::string path = write_file("empty.csv", text);
    EXPECT_EQ(error_of([&] { slope::models::load_csv(path, {"weight"}, "mpg"); }),
              "slope::models::load_csv: " + path + ": the file is empty (no header row)");
  }
}

TEST(LoadCsv, HeaderOnlyHasNoDataRows) {
  const std::string path = write_file("header_only.csv", "weight,mpg\r\n\r\n");
  EXPECT_EQ(error_of([&] { slope::models::load_csv(path, {"weight"}, "mpg"); }),
            "slope::models::load_csv: " + path + ": no data rows after the header");
}

TEST(LoadCsv, UnknownColumnIsNamedAndTheColumnsListed) {
  const std::string path = write_file("unknown.csv", "name,weight,mpg\nx,1,2\n");
  EXPECT_EQ(
      error_of([&] {
        slope::models::load_csv(path, {"weight", "hp"}, "mpg");
      }),
      "slope::models::load_csv: " + path + ": no column 'hp'; the columns are: name, weight, mpg");
  EXPECT_EQ(error_of([&] { slope::models::load_csv(path, {"weight"}, "price"); }),
            "slope::models::load_csv: " + path +
                ": no column 'price'; the columns are: name, weight, mpg");
}

TEST(LoadCsv, DuplicateChosenColumnIsAmbiguous) {
  const std::string path = write_file("duplicate.csv", "mpg,weight,mpg\n1,2,3\n");
  EXPECT_THAT(error_of([&] { slope::models::load_csv(path, {"weight"}, "mpg"); }),
              HasSubstr(path + ": column 'mpg' appears twice in the header (columns 1 and 3)"));
}

TEST(LoadCsv, NonNumericCellNamesFileLineAndColumn) {
  const std::string path = write_file("cars.csv",
                                      "name,weight,mpg\n"
                                      "a,3504,18\n"
                                      "b,3693,15\n"
                                      "c,abc,18\n");
  EXPECT_EQ(error_of([&] { slope::models::load_csv(path, {"weight"}, "mpg"); }),
            "slope::models::load_csv: " + path + ":4: column 'weight': 'abc' is not a number");
  // A number followed by text, a lone sign, a thousands separator and "?" are all rejected.
  for (const std::string cell : {"12kg", "-", "1 000", "?", "0x10", "++1"}) {
    const std::string p = write_file("cell.csv", "weight,mpg\n1,2\n" + cell + ",3\n");
    EXPECT_EQ(
        error_of([&] { slope::models::load_csv(p, {"weight"}, "mpg"); }),
        "slope::models::load_csv: " + p + ":3: column 'weight': '" + cell + "' is not a number");
  }
}

TEST(LoadCsv, NonFiniteCellIsRejected) {
  const std::string path = write_file("nan.csv", "weight,mpg\n1,nan\n");
  EXPECT_EQ(error_of([&] { slope::models::load_csv(path, {"weight"}, "mpg"); }),
            "slope::models::load_csv: " + path + ":2: column 'mpg': 'nan' is not a finite number");
  const std::string huge = write_file("huge.csv", "weight,mpg\n1e999,1\n");
  EXPECT_THAT(error_of([&] { slope::models::load_csv(huge, {"weight"}, "mpg"); }),
              HasSubstr(huge + ":2: column 'weight': '1e999' is out of the range of a double"));
}

TEST(LoadCsv, MissingCellNamesFileLineAndColumn) {
  const std::string path = write_file("missing.csv", "name,weight,mpg\na,3504,18\nb, ,15\n");
  EXPECT_EQ(error_of([&] { slope::models::load_csv(path, {"weight"}, "mpg"); }),
            "slope::models::load_csv: " + path + ":3: column 'weight': the cell is empty");
  // An empty cell in a column that is not chosen is fine.
  EXPECT_EQ(slope::models::load_csv(path, {"mpg"}, "mpg").size(), 2u);
}

TEST(LoadCsv, RowWithFewerOrMoreCellsThanTheHeader) {
  const std::string fewer = write_file("fewer.csv", "name,weight,mpg\na,3504,18\nb,3693\n");
  EXPECT_EQ(
      error_of([&] { slope::models::load_csv(fewer, {"weight"}, "mpg"); }),
      "slope::models::load_csv: " + fewer + ":3: the row has 2 cells but the header has 3 columns");
  const std::string more = write_file("more.csv", "name,weight,mpg\na,3504,18,\n");
  EXPECT_EQ(
      error_of([&] { slope::models::load_csv(more, {"weight"}, "mpg"); }),
      "slope::models::load_csv: " + more + ":2: the row has 4 cells but the header has 3 columns");
}

TEST(LoadCsv, MalformedQuotes) {
  const std::string open = write_file("open_quote.csv", "name,mpg\na,1\n\"b,2\nc,3\n");
  EXPECT_EQ(error_of([&] { slope::models::load_csv(open, {}, "mpg"); }),
            "slope::models::load_csv: " + open + ":3: a quoted cell is never closed");
  const std::string after = write_file("after_quote.csv", "name,mpg\n\"a\"b,1\n");
  EXPECT_EQ(error_of([&] { slope::models::load_csv(after, {}, "mpg"); }),
            "slope::models::load_csv: " + after + ":2: text after the closing quote of \"a\"");
}

TEST(ParseCsv, NamesItsSourceAndAllowsNoFeatures) {
  const Dataset d = slope::models::parse_csv("y\n1\n2\n", "inline", {}, "y");
  EXPECT_EQ(d.name, "inline");
  EXPECT_EQ(d.size(), 2u);
  EXPECT_EQ(d.dimension(), 0u);
  EXPECT_THAT(values(d.y), ElementsAre(1, 2));
  EXPECT_EQ(error_of([] { slope::models::parse_csv("y\n1\nx\n", "inline", {}, "y"); }),
            "slope::models::parse_csv: inline:3: column 'y': 'x' is not a number");
}

TEST(ParseCsv, AnEmptyLabelReadsNoLabelColumn) {
  // For predicting on a file without labels: y is empty, X as usual.
  const Dataset d =
      slope::models::parse_csv("weight,hp\n3.5,130\n2.37,95\n", "new.csv", {"hp", "weight"}, "");
  EXPECT_EQ(d.label, "");
  EXPECT_THAT(d.features, ElementsAre("hp", "weight"));
  ASSERT_EQ(d.size(), 2u);
  EXPECT_THAT(column(d.X, 0), ElementsAre(130, 95));
  EXPECT_THAT(column(d.X, 1), ElementsAre(3.5, 2.37));
  EXPECT_EQ(d.y.dimension(), 1u);
  EXPECT_EQ(d.y.size(), 0u);
  // The features are still checked, and a missing one is still named.
  EXPECT_EQ(error_of([] { slope::models::parse_csv("weight\nx\n", "new.csv", {"weight"}, ""); }),
            "slope::models::parse_csv: new.csv:2: column 'weight': 'x' is not a number");
  EXPECT_EQ(error_of([] { slope::models::parse_csv("weight\n", "new.csv", {"weight"}, ""); }),
            "slope::models::parse_csv: new.csv: no data rows after the header");

  const std::string path = write_file("no_label.csv", "weight,mpg\n3.5,18\n");
  const Dataset f = slope::models::load_csv(path, {"weight"}, "");
  EXPECT_THAT(values(f.X), ElementsAre(3.5));
  EXPECT_EQ(f.y.size(), 0u);
}

TEST(LoadCsv, ControlCharactersInCellsAreEscapedInMessages) {
  // A NUL inside a cell: the message must not stop at it when printed through what().
  const char text[] = "weight,mpg\n1,2\n3\0x,4\n";
  const std::string nul = write_file("nul.csv", std::string(text, sizeof text - 1));
  const std::string e = error_of([&] { slope::models::load_csv(nul, {"weight"}, "mpg"); });
  EXPECT_EQ(e, "slope::models::load_csv: " + nul + ":3: column 'weight': '3\\0x' is not a number");
  EXPECT_EQ(std::strlen(e.c_str()), e.size());

  // A newline inside a quoted cell: the message stays one line. So do \r, \t and other bytes.
  const std::string split = write_file("split.csv", "weight,mpg\n\"1\n2\",3\n");
  EXPECT_EQ(error_of([&] { slope::models::load_csv(split, {"weight"}, "mpg"); }),
            "slope::models::load_csv: " + split + ":2: column 'weight': '1\\n2' is not a number");
  EXPECT_EQ(error_of([] {
              slope::models::parse_csv("weight,mpg\n\"\t\x01\r\x7f\",4\n", "in", {"weight"}, "mpg");
            }),
            "slope::models::parse_csv: in:2: column 'weight': '\\t\\x01\\r\\x7F' is not a number");

  // Column names in messages, and the text after a closing quote, are escaped the same way.
  EXPECT_EQ(error_of([] {
              slope::models::parse_csv("\"we\night\",mpg\n1,2\n", "in", {"weight"}, "mpg");
            }),
            "slope::models::parse_csv: in: no column 'weight'; the columns are: we\\night, mpg");
  EXPECT_EQ(error_of([] { slope::models::parse_csv("name,mpg\n\"a\nb\"c,1\n", "in", {}, "mpg"); }),
            "slope::models::parse_csv: in:2: text after the closing quote of \"a\\nb\"");
}

}  // namespace
