# Accuracy (issue 14): cross-validation as a feature and a CI gate, the utilisation model's
# inputs, admission instead of refusal, shapes from the given dimensions.

# The gate CI runs: out-of-sample median |error| and 80%-interval coverage within the README's
# bounds (validate --cross-validate: 25% / 70% training, 20% / 70% inference).
cli_case(cv_training_gate RC 0 ARGS validate --cross-validate
         OUT "Out-of-sample (leave one group out): median |error|" OUT "Fitted on every case:")
cli_case(cv_inference_gate RC 0 ARGS validate --inference --cross-validate OUT "serving_model.layer_time_us = ")
cli_case(cv_training_json RC 0 ARGS validate --cross-validate --format json
         OUT "\"schema\": \"llm-energy/cross-validation/1\"" OUT "\"group_column\": \"organisation\""
         OUT "\"out_of_sample\": {")
cli_case(cv_inference_csv RC 0 ARGS validate --inference --cross-validate --format csv
         OUT "id,group,published,in_sample,in_sample_error,out_of_sample,out_of_sample_error,low,high,inside")
cli_case(cv_training_markdown RC 0 ARGS validate --cross-validate --format markdown OUT "| case | group |")
cli_case(cv_bound_fails RC 1 ARGS validate --cross-validate --max-median-error 1%
         ERR "validation failed: predict-mode median |error|")
cli_case(cv_coverage_fails RC 1 ARGS validate --cross-validate --min-coverage 0.99
         ERR "inside their out-of-sample 80% interval, below the bound 99.0%")

# Training: the utilisation model's inputs are scenario fields.
cli_case(train_inputs RC 0 ARGS estimate --params 8e9 --tokens 15T --seq-len 8192 --global-batch-tokens 16M
         --goodput 0.95 --chips 4096 --phase training --format json
         OUT "\"seq_len\": {\n      \"value\": 8192.0," OUT "\"goodput\": {\n      \"value\": 0.95,"
         OUT "\"training_layout\": {\n      \"value\": \"TP")
cli_case(train_mfu_given RC 0 ARGS estimate --params 7e9 --tokens 1T --mfu 0.45 --goodput 1 --phase training
         --format json OUT "\"implied_mfu\": 0.45,")
cli_case(train_default_chips RC 0 ARGS estimate --params 405B --tokens 15.6T --phase training --format json
         OUT "\"chips\": {\n      \"value\": 65536.0,")
cli_case(train_memory_refused RC 2 ARGS estimate --params 70B --tokens 1T --chips 8 --phase training
         ERR "chips: 8 x h100-sxm (80 GB each) cannot hold the training state of 7e+10 parameters")
cli_case(train_teacher RC 0 ARGS estimate --params 1e9 --tokens 1e11 --teacher-params 8e9 --phase training
         --format json OUT "\"teacher_params\": {")
cli_case(train_bad_goodput RC 2 ARGS estimate --params 1e9 --tokens 1e9 --goodput 1.5 ERR "goodput")

# Inference: the serving engine admits what its KV cache holds; only weights that do not fit refuse.
cli_case(admit_70b_batch_900 RC 0 ARGS estimate --model llama-3.1-70b --phase inference --inference-tokens 1e6
         --batch-size 900 --inference-chips 4 --format json OUT "\"admitted_batch\": {")
cli_case(admit_14b_a100_40 RC 0 ARGS estimate --model qwen3-14b --phase inference --inference-tokens 1e6
         --batch-size 64 --hardware a100-sxm4-40gb --inference-chips 1)
cli_case(admit_weights_refused RC 2 ARGS estimate --model llama-3.1-405b --phase inference --inference-tokens 1e6
         --inference-chips 2 ERR "cannot hold the 812 GB of weights")
cli_case(shape_heads_from_head_dim RC 0 ARGS estimate --params 4e9 --phase inference --inference-tokens 1e6
         --hidden-size 3072 --head-dim 96 --kv-heads 32 --format json OUT "heads 32")
cli_case(serving_stack_legacy RC 0 ARGS estimate --params 8e9 --phase inference --inference-tokens 1e6
         --serving-stack legacy --format json OUT "\"serving_stack\": {\n      \"value\": \"legacy\",")
cli_case(serving_stack_bad RC 2 ARGS estimate --params 8e9 --phase inference --inference-tokens 1e6
         --serving-stack vllm ERR "serving_stack: 'vllm' is not one of current, legacy")
cli_case(moe_layers_flag RC 0 ARGS estimate --params 671e9 --active-params 37e9 --experts 256 --active-experts 8
         --moe-layers 58 --layers 61 --phase inference --inference-tokens 1e6 --inference-chips 8 --precision fp8
         --hardware h200 --format json OUT "MoE 8 of 256 experts on 58 layers")
cli_case(moe_layers_bad RC 2 ARGS estimate --params 8e9 --phase inference --inference-tokens 1e6 --moe-layers 4
         ERR "moe_layers: must lie in [0, layers] and needs experts")
