# The slope command as a tool (issue 22): exit codes, honest numbers, labelled parameters,
# warnings, --version and --help, and train → save → evaluate → predict. Included by
# CMakeLists.txt after slope_cli_test and slope_files_test are defined.
set(data ${CMAKE_CURRENT_SOURCE_DIR})

# Exit codes and numbers that do not fit fixed notation. A run that blows up exits 3 with one
# line naming the likely cause, and prints its loss in scientific notation, not 300 digits.
slope_cli_test(cli_train_diverged_lr ARGS train;--lr;10;--quiet EXIT 3
  STDOUT_REGEX "stopped: diverged after [0-9]+ iterations\nloss: [1-9]\\.[0-9][0-9][0-9][0-9][0-9][0-9]e\\+[0-9]+\nweight = -?[0-9]\\.[0-9][0-9][0-9][0-9][0-9][0-9]e[-+][0-9]+, bias = "
  STDERR_REGEX "^slope: the run diverged \\(loss [^)]+\\): the learning rate is too large: try a smaller --lr \\(now 10\\)\n$")
slope_cli_test(cli_train_unscaled_minibatch ARGS train;--dataset;auto-mpg;--optimizer;minibatch EXIT 3
  STDOUT_REGEX "\n +[0-9]+ +[1-9]\\.[0-9][0-9][0-9][0-9][0-9]e\\+[0-9]+ +-?[0-9.]+e[-+][0-9]+ +-?[0-9.]+(e[-+][0-9]+)?\n"
  STDERR_REGEX "the features are not standardized \\(values up to 5.14e\\+03\\): try --standardize or a smaller --lr")
slope_cli_test(cli_train_huge_value_csv ARGS train;--data;${data}/huge_value.csv;--features;weight;--quiet EXIT 3
  STDERR_REGEX "diverged.*the data hold values as large as 1e\\+308")
slope_cli_test(cli_train_converged_exit_0 ARGS train;--optimizer;newton;--quiet EXIT 0
  STDOUT_REGEX "stopped: gradient_tolerance after 1 iteration\n")

# A check never passes on NaN or on a 100 % error, and fails with exit code 1.
slope_cli_test(cli_check_overflow_fails ARGS check;--at;1e200,0;--direction;1,0 EXIT 1
  STDOUT_REGEX "gradient check FAILED: worst [a-z]+, max abs error (nan|inf).*Hessian-vector product check FAILED")

# One coordinate system per output, labelled: the table and summary show the raw features'
# parameters under the features' names; the standardized ones are said to be so.
slope_files_test(cli_train_standardized_labels EXIT 0
  ARGS train --dataset auto-mpg --features weight,horsepower --standardize --optimizer newton
       --json %DIR%/r.json --history %DIR%/h.csv
  STDOUT_REGEX "iteration +loss +weight +horsepower +bias\n.*weight = -0\\.005[0-9]+, horsepower = -0\\.047[0-9]+, bias = 45\\.64[0-9]+ \\(raw features\\)\nstandardized: weight = -4\\.[0-9]+, horsepower = -1\\.8[0-9]+, bias = 23\\.44[0-9]+\n"
  JSON r.json JSON_CHECKS "parameter_names[0]=^weight$" "parameter_names[2]=^bias$"
                          "parameters[0]=^-0\\.005" "standardized_parameters[0]=^-4\\."
                          "standardization.mean[0]=^2977\\.5"
  CSV h.csv CSV_CHECKS "0=^iteration,loss,gradient_norm,step,weight,horsepower,bias,weight \\(standardized\\),horsepower \\(standardized\\),bias \\(standardized\\)$")

# Options that make no sense are errors; options the optimizer ignores are warnings.
slope_cli_test(cli_train_negative_iterations ARGS train;--iterations;-1 EXIT 2
  STDERR_REGEX "--iterations must be >= 1, got -1")
slope_cli_test(cli_train_zero_iterations ARGS train;--iterations;0 EXIT 2
  STDERR_REGEX "--iterations must be >= 1, got 0")
slope_cli_test(cli_train_zero_epochs ARGS train;--optimizer;adam;--epochs;0 EXIT 2
  STDERR_REGEX "--epochs must be >= 1, got 0")
slope_cli_test(cli_train_empty_features ARGS train;--dataset;auto-mpg;--features;, EXIT 2
  STDERR_REGEX "--features is empty")
slope_cli_test(cli_train_duplicate_features ARGS train;--dataset;auto-mpg;--features;weight,weight EXIT 2
  STDERR_REGEX "--features names 'weight' twice")
slope_cli_test(cli_train_epochs_ignored_by_gd ARGS train;--epochs;5;--quiet EXIT 0
  STDERR_REGEX "^slope: warning: --epochs is ignored by --optimizer gd \\(it counts iterations. use --iterations\\)\n$"
  STDOUT_REGEX "after 1000 iterations")
slope_cli_test(cli_train_batch_ignored_by_lbfgs ARGS train;--optimizer;lbfgs;--batch-size;4;--quiet EXIT 0
  STDERR_REGEX "warning: --batch-size is ignored by --optimizer lbfgs")
slope_cli_test(cli_train_lr_ignored_by_newton ARGS train;--optimizer;newton;--lr;0.5;--quiet EXIT 0
  STDERR_REGEX "warning: --lr is ignored by --optimizer newton")
slope_cli_test(cli_train_softmax_continuous_label ARGS train;--model;softmax;--quiet EXIT 0
  STDERR_REGEX "warning: --model softmax reads 'mpg' as class indices 0…24, but 20 of those 25 classes have no rows")
slope_cli_test(cli_train_softmax_fractional_label ARGS train;--dataset;auto-mpg;--model;softmax EXIT 2
  STDERR_REGEX "--model softmax takes class indices 0…K−1 as labels. 'mpg' is [0-9.]+ in row [0-9]+")
slope_cli_test(cli_train_separable_logistic
  ARGS train;--data;${data}/separable.csv;--features;x;--label;y;--model;logistic;--iterations;50;--quiet
  EXIT 0 STDERR_REGEX "warning: the training classes are separable")
slope_cli_test(cli_train_fewer_rows_than_parameters
  ARGS train;--data;${data}/separable.csv;--features;x,x2,x3,x4,x5;--label;y;--iterations;5;--quiet
  EXIT 0 STDERR_REGEX "warning: 4 rows for 6 parameters")

# Errors say what went wrong in the user's terms: no namespaces, the OS reason, one line.
slope_cli_test(cli_train_missing_file_reason ARGS train;--data;/nonexistent/cars.csv;--features;weight EXIT 2
  STDERR_REGEX "^slope: [^:]*cannot open '/nonexistent/cars.csv': No such file or directory\n$")
slope_cli_test(cli_train_nul_in_cell ARGS train;--data;${data}/nul_cell.csv;--features;weight EXIT 2
  STDERR_REGEX "nul_cell.csv:3: column 'weight': '3.0x' is not a number")
slope_cli_test(cli_train_newline_in_quoted_cell ARGS train;--data;${data}/newline_cell.csv;--features;weight EXIT 2
  STDERR_REGEX "newline_cell.csv:3: column 'weight': '3.nx' is not a number")

# --version and --help everywhere; the command list names every command.
slope_cli_test(cli_version ARGS --version EXIT 0 STDOUT_REGEX "^slope [0-9]+\\.[0-9]+\\.[0-9]+\n$")
slope_cli_test(cli_train_version ARGS train;--version EXIT 0 STDOUT_REGEX "^slope [0-9]+\\.[0-9]+\\.[0-9]+\n$")
slope_cli_test(cli_help_lists_commands ARGS --help EXIT 0
  STDOUT_REGEX "slope demo.*slope train.*slope evaluate.*slope predict.*slope check.*slope bench.*Exit codes: 0 .*1 a check failed, 2 bad usage or input.*3 the run diverged")
slope_cli_test(cli_unknown_command_hint ARGS frobnicate EXIT 2
  STDERR_REGEX "unknown command 'frobnicate' \\(try: slope demo, train, evaluate, predict, check, bench\\)")
foreach(cmd demo train evaluate predict check)
  slope_cli_test(cli_${cmd}_help ARGS ${cmd};--help EXIT 0 STDOUT_REGEX "^usage: slope ${cmd} \\[options\\]\n")
endforeach()
slope_cli_test(cli_bench_help ARGS bench;--help EXIT 0 STDOUT_REGEX "usage: slope bench report")

# L-BFGS that ends its line search at the optimum says so.
slope_cli_test(cli_train_lbfgs_at_optimum ARGS train;--optimizer;lbfgs;--quiet EXIT 0
  STDOUT_REGEX "stopped: (gradient_tolerance|line_search_failed after [0-9]+ iterations \\(at the optimum to rounding)")

# The progress bar: on stderr, never inside a table row, ending at 100 % or where the run stopped.
slope_cli_test(cli_train_progress_to_budget ARGS train;--every;500 ENV SLOPE_PROGRESS=always EXIT 0
  STDOUT_REGEX "\n +500 +[0-9.]+ +[0-9.]+ +[0-9.]+\n +1000 +11\\.79016 "
  STDERR_REGEX "\\[#+\\] 100%  iteration 1000/1000  loss 11\\.79[0-9]*\n$")
slope_cli_test(cli_train_progress_stops_early ARGS train;--optimizer;newton ENV SLOPE_PROGRESS=always EXIT 0
  STDERR_REGEX "\\[#+\\] stopped at iteration 1 of 1000: gradient_tolerance\n$")

# train → save → evaluate → predict on Auto MPG with a held-out split.
slope_files_test(cli_train_save_held_out EXIT 0
  ARGS train --dataset auto-mpg --features weight,horsepower --standardize --optimizer newton
       --test-fraction 0.2 --seed 7 --quiet --save %DIR%/model.json --json %DIR%/r.json
  STDOUT_REGEX "held-out \\(78 rows of auto-mpg\\)\n  MSE [0-9.]+, MAE [0-9.]+, R² 0\\.[5-9][0-9]*\n.*wrote the model to"
  JSON r.json JSON_CHECKS "rows=^314$" "held_out.rows=^78$" "held_out.r2=^0\\.[5-9]")
set_tests_properties(cli_train_save_held_out PROPERTIES FIXTURES_SETUP saved_model)
set(saved ${CMAKE_CURRENT_BINARY_DIR}/files/cli_train_save_held_out/model.json)
slope_cli_test(cli_evaluate_saved_model ARGS evaluate;--model-file;${saved};--dataset;auto-mpg EXIT 0
  STDOUT_REGEX "slope evaluate: linear model from .*model.json \\(392 rows of auto-mpg\\)\n  MSE 1[5-9]\\.[0-9]+, MAE [0-9.]+, R² 0\\.[67][0-9]*\n")
slope_cli_test(cli_evaluate_csv ARGS evaluate;--model-file;${saved};--data;${PROJECT_SOURCE_DIR}/models/data/auto-mpg.csv EXIT 0
  STDOUT_REGEX "\\(392 rows of .*auto-mpg.csv\\)\n  MSE 1[5-9]\\.[0-9]+")
slope_files_test(cli_predict_saved_model EXIT 0
  ARGS predict --model-file ${saved} --dataset auto-mpg --output %DIR%/p.csv
  CSV p.csv CSV_LINES 393 CSV_CHECKS "0=^predicted mpg$" "1=^1[0-9]\\.[0-9]+$")
set_tests_properties(cli_evaluate_saved_model cli_evaluate_csv cli_predict_saved_model
  PROPERTIES FIXTURES_REQUIRED saved_model)
slope_files_test(cli_train_logistic_save_evaluate EXIT 0
  ARGS train --dataset synthetic-logistic --rows 500 --dims 3 --optimizer newton --l2 0.01 --quiet
       --test-fraction 0.25 --save %DIR%/logistic.json
  STDOUT_REGEX "held-out \\(125 rows of synthetic-logistic\\)\n  log-loss 0\\.[0-9]+, accuracy 0\\.[89][0-9]* \\([0-9.]+ %\\)\n  confusion matrix")
set_tests_properties(cli_train_logistic_save_evaluate PROPERTIES FIXTURES_SETUP saved_logistic)
slope_cli_test(cli_predict_logistic_stdout
  ARGS predict;--model-file;${CMAKE_CURRENT_BINARY_DIR}/files/cli_train_logistic_save_evaluate/logistic.json;--dataset;synthetic-logistic;--rows;3;--seed;4
  EXIT 0 STDOUT_REGEX "^P\\(y = 1\\),predicted y\n(0\\.[0-9]+(e-[0-9]+)?|1|[0-9.e-]+),[01]\n")
set_tests_properties(cli_predict_logistic_stdout PROPERTIES FIXTURES_REQUIRED saved_logistic)

# Bad model files are one-line errors, exit 2.
slope_cli_test(cli_evaluate_missing_model ARGS evaluate;--model-file;/nonexistent/m.json;--dataset;cars7 EXIT 2
  STDERR_REGEX "cannot open '/nonexistent/m.json': No such file or directory")
slope_cli_test(cli_evaluate_truncated_model ARGS evaluate;--model-file;${data}/model_files/truncated.json;--dataset;cars7 EXIT 2
  STDERR_REGEX "truncated.json")
slope_cli_test(cli_evaluate_not_a_model ARGS evaluate;--model-file;${data}/model_files/not_a_model.json;--dataset;cars7 EXIT 2
  STDERR_REGEX "not_a_model.json: not a Slope model file")
slope_cli_test(cli_evaluate_wrong_count ARGS evaluate;--model-file;${data}/model_files/wrong_count.json;--dataset;cars7 EXIT 2
  STDERR_REGEX "wrong_count.json: .*parameters.* 3 .* 2")
slope_cli_test(cli_evaluate_needs_data ARGS evaluate;--model-file;${data}/model_files/wrong_count.json EXIT 2
  STDERR_REGEX "give --data FILE or --dataset NAME")
slope_cli_test(cli_evaluate_needs_model ARGS evaluate;--dataset;cars7 EXIT 2
  STDERR_REGEX "--model-file is required")

# A kink is named as such: at b = 18 residuals of the seven cars' MAE are zero. The gradient
# check passes with the hint; the HVP of a kinked loss fails.
slope_cli_test(cli_check_kink_says_not_smooth ARGS check;--loss;mae;--at;0,18;--direction;1,0 EXIT 1
  STDOUT_REGEX "gradient check passed.*\n  bias: the function is not smooth here \\(one-sided derivatives 0\\.142857[0-9]* and 0\\.714285[0-9]*\\): move the point off the kink\n")
slope_cli_test(cli_check_given_step ARGS check;--at;0,0;--direction;1,0;--step;1e-4 EXIT 0
  STDOUT_REGEX "gradient check passed.*Hessian-vector product check passed")
slope_cli_test(cli_check_bad_step ARGS check;--at;0,0;--step;-1 EXIT 2 STDERR_REGEX "step.*-1")

# In a terminal (script(1) gives the run a pseudo-terminal): every table row starts on a line
# the bar has just erased, and no row follows a bar on its line.
find_program(SCRIPT_PROGRAM script)
if(SCRIPT_PROGRAM)
  add_test(NAME cli_train_progress_in_terminal
    COMMAND ${SCRIPT_PROGRAM} -qec "$<TARGET_FILE:slope> train --every 500" /dev/null)
  set_tests_properties(cli_train_progress_in_terminal PROPERTIES LABELS cli TIMEOUT 60
    ENVIRONMENT SLOPE_PROGRESS=always
    PASS_REGULAR_EXPRESSION "\\[2K +500 +[0-9.]+ +[0-9.]+ +[0-9.]+\r?\n.*\\[2K +1000 +11\\.79016 .*100%  iteration 1000/1000"
    FAIL_REGULAR_EXPRESSION "iteration [0-9]+/[0-9]+  loss [0-9.e+-]+ +[0-9]+ +[0-9.]+ ")
endif()
