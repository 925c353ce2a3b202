// SPDX-License-Identifier: MIT
// Every shape error of the tensor ops is a slope::Error raised while recording, naming the op
// and the shapes involved.

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include <slope/autodiff.hpp>

namespace {

using slope::Tensor;
using slope::Var;

// Runs f inside a recording on x = 0..23 and expects an Error whose message has every fragment.
void expect_error(const std::function<Var(const Tensor&)>& f,
                  const std::vector<std::string>& parts) {
  std::vector<double> x(24);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.1 * static_cast<double>(i + 1);
  try {
    slope::grad(f, x);
    ADD_FAILURE() << "no error; expected one mentioning " << parts.front();
  } catch (const slope::Error& e) {
    const std::string what = e.what();
    for (const std::string& p : parts)
      EXPECT_NE(what.find(p), std::string::npos) << what << "\n  lacks: " << p;
  }
}

TEST(TensorErrors, ShapeErrorsNameTheOpAndBothShapes) {
  const xt::xarray<double> X = xt::ones<double>({100, 8});
  expect_error([&](const Tensor& p) { return sum(slope::matmul(X, p.slice(0, 9))); },
               {"matmul: (100,8) x (9,) do not align"});
  expect_error(
      [](const Tensor& p) {
        return sum(slope::matmul(p.reshape({2, 3, 4}), p.slice(0, 4)));
      },
      {"matmul", "(2,3,4)", "1-D and 2-D"});
  expect_error([](const Tensor& p) { return slope::dot(p.slice(0, 3), p.slice(0, 4)); },
               {"dot", "(3,)", "(4,)"});
  expect_error(
      [](const Tensor& p) {
        return sum(p.slice(0, 6).reshape({3, 2}) + p.slice(0, 3));
      },
      {"add: shapes (3,2) and (3,) do not broadcast"});
  expect_error(
      [](const Tensor& p) {
        return sum(p.slice(0, 4) * xt::xarray<double>{1.0, 2.0, 3.0});
      },
      {"mul", "(4,)", "(3,)"});
  expect_error(
      [](const Tensor& p) {
        return sum(p.reshape({5, 5}));
      },
      {"reshape", "(24,)", "(5,5)"});
  expect_error(
      [](const Tensor& p) {
        return sum(p.reshape({-1, 5}));
      },
      {"reshape", "do not divide"});
  expect_error(
      [](const Tensor& p) {
        return sum(slope::slice(p.reshape({4, 6}), 2, 7));
      },
      {"slice", "[2, 7)", "(4,6)"});
  expect_error([](const Tensor& p) { return sum(p.slice(3, 30)); }, {"slice", "[3, 30)", "(24,)"});
  expect_error(
      [](const Tensor& p) {
        return sum(slope::gather_rows(p.reshape({4, 6}), {0, 4}));
      },
      {"gather_rows", "index 4", "4 rows", "(4,6)"});
  expect_error(
      [](const Tensor& p) {
        return sum(
            slope::concatenate({p.slice(0, 6).reshape({2, 3}), p.slice(0, 8).reshape({2, 4})}, 0));
      },
      {"concatenate", "(2,3)", "(2,4)", "axis 0"});
  expect_error(
      [](const Tensor& p) {
        return sum(slope::sum(p.reshape({4, 6}), 2));
      },
      {"sum", "axis 2", "(4,6)"});
  expect_error(
      [](const Tensor& p) {
        return sum(slope::softmax(p.reshape({4, 6}), -3));
      },
      {"softmax", "axis -3"});
  expect_error(
      [](const Tensor& p) {
        const xt::xarray<bool> mask = {true, false, true};
        return sum(slope::where(mask, p.slice(0, 4), 0.0));
      },
      {"where", "(3,)", "(4,)"});
  expect_error(
      [](const Tensor& p) {
        return p.reshape({4, 6})[0];
      },
      {"operator[]", "1-D", "(4,6)"});
  expect_error([](const Tensor& p) { return p.slice(0, 2).item(); }, {"item", "(2,)"});
  expect_error([](const Tensor& p) { return max(p.slice(0, 0)); }, {"max", "zero elements"});
  expect_error(
      [](const Tensor& p) {
        return sum(slope::gather_rows(p.reshape({4, 6}), std::vector<int>{0, -1}));
      },
      {"gather_rows", "negative index -1"});
}

TEST(TensorErrors, HandlesFromAnEndedRecordingAreRejected) {
  Tensor kept;
  slope::grad(
      [&](const Tensor& p) {
        kept = p.reshape({24});
        return sum(kept);
      },
      std::vector<double>(24, 1.0));
  EXPECT_THROW(
      slope::grad([&](const Tensor& p) { return sum(p * kept); }, std::vector<double>(24, 1.0)),
      slope::Error);
  EXPECT_THROW((void)kept.shape(), slope::Error);
  EXPECT_THROW((void)slope::exp(Tensor()), slope::Error);
}

TEST(TensorErrors, FunctionMustReturnOneElement) {
  try {
    slope::grad([](const Tensor& p) { return p.reshape({2, 1}) * 2.0; }, std::vector<double>{1, 2});
    ADD_FAILURE() << "no error";
  } catch (const slope::Error& e) {
    EXPECT_NE(std::string(e.what()).find("scalar"), std::string::npos) << e.what();
  }
}

}  // namespace
