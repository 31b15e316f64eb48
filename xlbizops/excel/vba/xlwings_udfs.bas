Function ABC_CLASS(items, annual_values, Optional a_share, Optional b_share)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        ABC_CLASS = XLPy.CallUDF("xlbizops.udfs", "ABC_CLASS", Array(items, annual_values, a_share, b_share), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        ABC_CLASS = XLPy.CallUDF("xlbizops.udfs", "ABC_CLASS", Array(items, annual_values, a_share, b_share))
        Exit Function
    #End If
failed:
    ABC_CLASS = Err.Description
End Function

Function ANOMALIES(values, Optional method, Optional threshold)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        ANOMALIES = XLPy.CallUDF("xlbizops.udfs", "ANOMALIES", Array(values, method, threshold), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        ANOMALIES = XLPy.CallUDF("xlbizops.udfs", "ANOMALIES", Array(values, method, threshold))
        Exit Function
    #End If
failed:
    ANOMALIES = Err.Description
End Function

Function CLV(customer_ids, order_dates, amounts, Optional horizon_months, Optional annual_discount_rate, Optional as_of, Optional order_ids, Optional model)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        CLV = XLPy.CallUDF("xlbizops.udfs", "CLV", Array(customer_ids, order_dates, amounts, horizon_months, annual_discount_rate, as_of, order_ids, model), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        CLV = XLPy.CallUDF("xlbizops.udfs", "CLV", Array(customer_ids, order_dates, amounts, horizon_months, annual_discount_rate, as_of, order_ids, model))
        Exit Function
    #End If
failed:
    CLV = Err.Description
End Function

Function CLV_CHECK(customer_ids, order_dates, amounts, calibration_end, Optional model, Optional as_of)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        CLV_CHECK = XLPy.CallUDF("xlbizops.udfs", "CLV_CHECK", Array(customer_ids, order_dates, amounts, calibration_end, model, as_of), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        CLV_CHECK = XLPy.CallUDF("xlbizops.udfs", "CLV_CHECK", Array(customer_ids, order_dates, amounts, calibration_end, model, as_of))
        Exit Function
    #End If
failed:
    CLV_CHECK = Err.Description
End Function

Function COHORT_RETENTION(customer_ids, order_dates, Optional period, Optional order_ids)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        COHORT_RETENTION = XLPy.CallUDF("xlbizops.udfs", "COHORT_RETENTION", Array(customer_ids, order_dates, period, order_ids), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        COHORT_RETENTION = XLPy.CallUDF("xlbizops.udfs", "COHORT_RETENTION", Array(customer_ids, order_dates, period, order_ids))
        Exit Function
    #End If
failed:
    COHORT_RETENTION = Err.Description
End Function

Function CYCLE_TIME(start_dates, end_dates, Optional unit)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        CYCLE_TIME = XLPy.CallUDF("xlbizops.udfs", "CYCLE_TIME", Array(start_dates, end_dates, unit), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        CYCLE_TIME = XLPy.CallUDF("xlbizops.udfs", "CYCLE_TIME", Array(start_dates, end_dates, unit))
        Exit Function
    #End If
failed:
    CYCLE_TIME = Err.Description
End Function

Function DAYS_OF_SUPPLY(on_hand, daily_demand)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        DAYS_OF_SUPPLY = XLPy.CallUDF("xlbizops.udfs", "DAYS_OF_SUPPLY", Array(on_hand, daily_demand), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        DAYS_OF_SUPPLY = XLPy.CallUDF("xlbizops.udfs", "DAYS_OF_SUPPLY", Array(on_hand, daily_demand))
        Exit Function
    #End If
failed:
    DAYS_OF_SUPPLY = Err.Description
End Function

Function DECOMPOSE(values, period, Optional model, Optional method)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        DECOMPOSE = XLPy.CallUDF("xlbizops.udfs", "DECOMPOSE", Array(values, period, model, method), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        DECOMPOSE = XLPy.CallUDF("xlbizops.udfs", "DECOMPOSE", Array(values, period, model, method))
        Exit Function
    #End If
failed:
    DECOMPOSE = Err.Description
End Function

Function DEMAND_BY_ITEM(items, dates, quantities, Optional unit_prices, Optional as_of, Optional window_days)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        DEMAND_BY_ITEM = XLPy.CallUDF("xlbizops.udfs", "DEMAND_BY_ITEM", Array(items, dates, quantities, unit_prices, as_of, window_days), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        DEMAND_BY_ITEM = XLPy.CallUDF("xlbizops.udfs", "DEMAND_BY_ITEM", Array(items, dates, quantities, unit_prices, as_of, window_days))
        Exit Function
    #End If
failed:
    DEMAND_BY_ITEM = Err.Description
End Function

Function DEMAND_CLASS(skus, dates, quantities, Optional period, Optional as_of)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        DEMAND_CLASS = XLPy.CallUDF("xlbizops.udfs", "DEMAND_CLASS", Array(skus, dates, quantities, period, as_of), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        DEMAND_CLASS = XLPy.CallUDF("xlbizops.udfs", "DEMAND_CLASS", Array(skus, dates, quantities, period, as_of))
        Exit Function
    #End If
failed:
    DEMAND_CLASS = Err.Description
End Function

Function EOQ(annual_demand, order_cost, holding_cost)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        EOQ = XLPy.CallUDF("xlbizops.udfs", "EOQ", Array(annual_demand, order_cost, holding_cost), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        EOQ = XLPy.CallUDF("xlbizops.udfs", "EOQ", Array(annual_demand, order_cost, holding_cost))
        Exit Function
    #End If
failed:
    EOQ = Err.Description
End Function

Function EOQ_BACKORDER(annual_demand, order_cost, holding_cost, backorder_cost)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        EOQ_BACKORDER = XLPy.CallUDF("xlbizops.udfs", "EOQ_BACKORDER", Array(annual_demand, order_cost, holding_cost, backorder_cost), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        EOQ_BACKORDER = XLPy.CallUDF("xlbizops.udfs", "EOQ_BACKORDER", Array(annual_demand, order_cost, holding_cost, backorder_cost))
        Exit Function
    #End If
failed:
    EOQ_BACKORDER = Err.Description
End Function

Function EOQ_COST(annual_demand, order_cost, holding_cost, Optional order_qty)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        EOQ_COST = XLPy.CallUDF("xlbizops.udfs", "EOQ_COST", Array(annual_demand, order_cost, holding_cost, order_qty), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        EOQ_COST = XLPy.CallUDF("xlbizops.udfs", "EOQ_COST", Array(annual_demand, order_cost, holding_cost, order_qty))
        Exit Function
    #End If
failed:
    EOQ_COST = Err.Description
End Function

Function EOQ_DISCOUNT(annual_demand, order_cost, holding_rate, break_quantities, unit_prices, Optional kind)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        EOQ_DISCOUNT = XLPy.CallUDF("xlbizops.udfs", "EOQ_DISCOUNT", Array(annual_demand, order_cost, holding_rate, break_quantities, unit_prices, kind), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        EOQ_DISCOUNT = XLPy.CallUDF("xlbizops.udfs", "EOQ_DISCOUNT", Array(annual_demand, order_cost, holding_rate, break_quantities, unit_prices, kind))
        Exit Function
    #End If
failed:
    EOQ_DISCOUNT = Err.Description
End Function

Function EPQ(annual_demand, setup_cost, holding_cost, production_rate)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        EPQ = XLPy.CallUDF("xlbizops.udfs", "EPQ", Array(annual_demand, setup_cost, holding_cost, production_rate), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        EPQ = XLPy.CallUDF("xlbizops.udfs", "EPQ", Array(annual_demand, setup_cost, holding_cost, production_rate))
        Exit Function
    #End If
failed:
    EPQ = Err.Description
End Function

Function FORECAST_DEMAND(skus, dates, quantities, Optional horizon, Optional period, Optional method, Optional as_of)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        FORECAST_DEMAND = XLPy.CallUDF("xlbizops.udfs", "FORECAST_DEMAND", Array(skus, dates, quantities, horizon, period, method, as_of), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        FORECAST_DEMAND = XLPy.CallUDF("xlbizops.udfs", "FORECAST_DEMAND", Array(skus, dates, quantities, horizon, period, method, as_of))
        Exit Function
    #End If
failed:
    FORECAST_DEMAND = Err.Description
End Function

Function FORECAST_HW(values, horizon, Optional period, Optional dates)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        FORECAST_HW = XLPy.CallUDF("xlbizops.udfs", "FORECAST_HW", Array(values, horizon, period, dates), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        FORECAST_HW = XLPy.CallUDF("xlbizops.udfs", "FORECAST_HW", Array(values, horizon, period, dates))
        Exit Function
    #End If
failed:
    FORECAST_HW = Err.Description
End Function

Function IMPACT(before, after, Optional higher_is_better)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        IMPACT = XLPy.CallUDF("xlbizops.udfs", "IMPACT", Array(before, after, higher_is_better), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        IMPACT = XLPy.CallUDF("xlbizops.udfs", "IMPACT", Array(before, after, higher_is_better))
        Exit Function
    #End If
failed:
    IMPACT = Err.Description
End Function

Function IMPACT_DID(dates, values, groups, treated_group, change_date, Optional alpha)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        IMPACT_DID = XLPy.CallUDF("xlbizops.udfs", "IMPACT_DID", Array(dates, values, groups, treated_group, change_date, alpha), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        IMPACT_DID = XLPy.CallUDF("xlbizops.udfs", "IMPACT_DID", Array(dates, values, groups, treated_group, change_date, alpha))
        Exit Function
    #End If
failed:
    IMPACT_DID = Err.Description
End Function

Function IMPACT_SERIES(dates, values, change_date, Optional controls, Optional period, Optional alpha)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        IMPACT_SERIES = XLPy.CallUDF("xlbizops.udfs", "IMPACT_SERIES", Array(dates, values, change_date, controls, period, alpha), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        IMPACT_SERIES = XLPy.CallUDF("xlbizops.udfs", "IMPACT_SERIES", Array(dates, values, change_date, controls, period, alpha))
        Exit Function
    #End If
failed:
    IMPACT_SERIES = Err.Description
End Function

Function INVENTORY_BACKTEST(skus, dates, quantities, lead_time, Optional target, Optional target_type, Optional review_period, Optional period, Optional holdout_periods, Optional as_of)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        INVENTORY_BACKTEST = XLPy.CallUDF("xlbizops.udfs", "INVENTORY_BACKTEST", Array(skus, dates, quantities, lead_time, target, target_type, review_period, period, holdout_periods, as_of), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        INVENTORY_BACKTEST = XLPy.CallUDF("xlbizops.udfs", "INVENTORY_BACKTEST", Array(skus, dates, quantities, lead_time, target, target_type, review_period, period, holdout_periods, as_of))
        Exit Function
    #End If
failed:
    INVENTORY_BACKTEST = Err.Description
End Function

Function INVENTORY_TURNOVER(cost_of_goods_sold, average_inventory)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        INVENTORY_TURNOVER = XLPy.CallUDF("xlbizops.udfs", "INVENTORY_TURNOVER", Array(cost_of_goods_sold, average_inventory), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        INVENTORY_TURNOVER = XLPy.CallUDF("xlbizops.udfs", "INVENTORY_TURNOVER", Array(cost_of_goods_sold, average_inventory))
        Exit Function
    #End If
failed:
    INVENTORY_TURNOVER = Err.Description
End Function

Function NEWSVENDOR(price, cost, salvage, demand_mean, Optional demand_sd, Optional distribution, Optional order_qty)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        NEWSVENDOR = XLPy.CallUDF("xlbizops.udfs", "NEWSVENDOR", Array(price, cost, salvage, demand_mean, demand_sd, distribution, order_qty), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        NEWSVENDOR = XLPy.CallUDF("xlbizops.udfs", "NEWSVENDOR", Array(price, cost, salvage, demand_mean, demand_sd, distribution, order_qty))
        Exit Function
    #End If
failed:
    NEWSVENDOR = Err.Description
End Function

Function ORDER_KPIS(order_dates, shipped_dates, delivered_dates, promised_dates, Optional status, Optional error_flags, Optional order_ids)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        ORDER_KPIS = XLPy.CallUDF("xlbizops.udfs", "ORDER_KPIS", Array(order_dates, shipped_dates, delivered_dates, promised_dates, status, error_flags, order_ids), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        ORDER_KPIS = XLPy.CallUDF("xlbizops.udfs", "ORDER_KPIS", Array(order_dates, shipped_dates, delivered_dates, promised_dates, status, error_flags, order_ids))
        Exit Function
    #End If
failed:
    ORDER_KPIS = Err.Description
End Function

Function REORDER_POINT(service_level, demand_mean, demand_sd, lead_time, Optional lead_time_sd)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        REORDER_POINT = XLPy.CallUDF("xlbizops.udfs", "REORDER_POINT", Array(service_level, demand_mean, demand_sd, lead_time, lead_time_sd), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        REORDER_POINT = XLPy.CallUDF("xlbizops.udfs", "REORDER_POINT", Array(service_level, demand_mean, demand_sd, lead_time, lead_time_sd))
        Exit Function
    #End If
failed:
    REORDER_POINT = Err.Description
End Function

Function REORDER_POLICY(skus, dates, quantities, lead_time, Optional target, Optional target_type, Optional review_period, Optional period, Optional method, Optional on_hand, Optional unit_cost, Optional order_cost, Optional holding_rate, Optional as_of)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        REORDER_POLICY = XLPy.CallUDF("xlbizops.udfs", "REORDER_POLICY", Array(skus, dates, quantities, lead_time, target, target_type, review_period, period, method, on_hand, unit_cost, order_cost, holding_rate, as_of), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        REORDER_POLICY = XLPy.CallUDF("xlbizops.udfs", "REORDER_POLICY", Array(skus, dates, quantities, lead_time, target, target_type, review_period, period, method, on_hand, unit_cost, order_cost, holding_rate, as_of))
        Exit Function
    #End If
failed:
    REORDER_POLICY = Err.Description
End Function

Function RESAMPLE(dates, values, Optional period, Optional how)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        RESAMPLE = XLPy.CallUDF("xlbizops.udfs", "RESAMPLE", Array(dates, values, period, how), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        RESAMPLE = XLPy.CallUDF("xlbizops.udfs", "RESAMPLE", Array(dates, values, period, how))
        Exit Function
    #End If
failed:
    RESAMPLE = Err.Description
End Function

Function RFM_SCORE(customer_ids, order_dates, amounts, Optional as_of, Optional weights, Optional bins, Optional order_ids)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        RFM_SCORE = XLPy.CallUDF("xlbizops.udfs", "RFM_SCORE", Array(customer_ids, order_dates, amounts, as_of, weights, bins, order_ids), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        RFM_SCORE = XLPy.CallUDF("xlbizops.udfs", "RFM_SCORE", Array(customer_ids, order_dates, amounts, as_of, weights, bins, order_ids))
        Exit Function
    #End If
failed:
    RFM_SCORE = Err.Description
End Function

Function RFM_SEGMENT(r_score, f_score, Optional bins)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        RFM_SEGMENT = XLPy.CallUDF("xlbizops.udfs", "RFM_SEGMENT", Array(r_score, f_score, bins), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        RFM_SEGMENT = XLPy.CallUDF("xlbizops.udfs", "RFM_SEGMENT", Array(r_score, f_score, bins))
        Exit Function
    #End If
failed:
    RFM_SEGMENT = Err.Description
End Function

Function RISK_MATRIX(likelihood, impact)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        RISK_MATRIX = XLPy.CallUDF("xlbizops.udfs", "RISK_MATRIX", Array(likelihood, impact), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        RISK_MATRIX = XLPy.CallUDF("xlbizops.udfs", "RISK_MATRIX", Array(likelihood, impact))
        Exit Function
    #End If
failed:
    RISK_MATRIX = Err.Description
End Function

Function RQ_POLICY(holding_cost, backorder_cost, order_cost, annual_demand, annual_demand_sd, lead_time)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        RQ_POLICY = XLPy.CallUDF("xlbizops.udfs", "RQ_POLICY", Array(holding_cost, backorder_cost, order_cost, annual_demand, annual_demand_sd, lead_time), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        RQ_POLICY = XLPy.CallUDF("xlbizops.udfs", "RQ_POLICY", Array(holding_cost, backorder_cost, order_cost, annual_demand, annual_demand_sd, lead_time))
        Exit Function
    #End If
failed:
    RQ_POLICY = Err.Description
End Function

Function SAFETY_STOCK(service_level, demand_mean, demand_sd, lead_time, Optional lead_time_sd)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        SAFETY_STOCK = XLPy.CallUDF("xlbizops.udfs", "SAFETY_STOCK", Array(service_level, demand_mean, demand_sd, lead_time, lead_time_sd), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        SAFETY_STOCK = XLPy.CallUDF("xlbizops.udfs", "SAFETY_STOCK", Array(service_level, demand_mean, demand_sd, lead_time, lead_time_sd))
        Exit Function
    #End If
failed:
    SAFETY_STOCK = Err.Description
End Function

Function SEASONALITY(values)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        SEASONALITY = XLPy.CallUDF("xlbizops.udfs", "SEASONALITY", Array(values), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        SEASONALITY = XLPy.CallUDF("xlbizops.udfs", "SEASONALITY", Array(values))
        Exit Function
    #End If
failed:
    SEASONALITY = Err.Description
End Function

Function SEGMENT(data, k, Optional standardize, Optional seed)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        SEGMENT = XLPy.CallUDF("xlbizops.udfs", "SEGMENT", Array(data, k, standardize, seed), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        SEGMENT = XLPy.CallUDF("xlbizops.udfs", "SEGMENT", Array(data, k, standardize, seed))
        Exit Function
    #End If
failed:
    SEGMENT = Err.Description
End Function

Function SEGMENT_K(data, Optional k_max)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        SEGMENT_K = XLPy.CallUDF("xlbizops.udfs", "SEGMENT_K", Array(data, k_max), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        SEGMENT_K = XLPy.CallUDF("xlbizops.udfs", "SEGMENT_K", Array(data, k_max))
        Exit Function
    #End If
failed:
    SEGMENT_K = Err.Description
End Function

Function SEGMENT_PROFILE(data, k, Optional standardize, Optional seed)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        SEGMENT_PROFILE = XLPy.CallUDF("xlbizops.udfs", "SEGMENT_PROFILE", Array(data, k, standardize, seed), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        SEGMENT_PROFILE = XLPy.CallUDF("xlbizops.udfs", "SEGMENT_PROFILE", Array(data, k, standardize, seed))
        Exit Function
    #End If
failed:
    SEGMENT_PROFILE = Err.Description
End Function

Function STOCKOUT_RISK(on_hand, demand_mean, demand_sd, lead_time, Optional lead_time_sd)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        STOCKOUT_RISK = XLPy.CallUDF("xlbizops.udfs", "STOCKOUT_RISK", Array(on_hand, demand_mean, demand_sd, lead_time, lead_time_sd), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        STOCKOUT_RISK = XLPy.CallUDF("xlbizops.udfs", "STOCKOUT_RISK", Array(on_hand, demand_mean, demand_sd, lead_time, lead_time_sd))
        Exit Function
    #End If
failed:
    STOCKOUT_RISK = Err.Description
End Function

Function SUPPLIER_METRICS(suppliers, order_dates, shipped_dates, promised_dates, Optional error_flags)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        SUPPLIER_METRICS = XLPy.CallUDF("xlbizops.udfs", "SUPPLIER_METRICS", Array(suppliers, order_dates, shipped_dates, promised_dates, error_flags), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        SUPPLIER_METRICS = XLPy.CallUDF("xlbizops.udfs", "SUPPLIER_METRICS", Array(suppliers, order_dates, shipped_dates, promised_dates, error_flags))
        Exit Function
    #End If
failed:
    SUPPLIER_METRICS = Err.Description
End Function

Function SUPPLIER_RISK(table, weights, Optional directions)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        SUPPLIER_RISK = XLPy.CallUDF("xlbizops.udfs", "SUPPLIER_RISK", Array(table, weights, directions), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        SUPPLIER_RISK = XLPy.CallUDF("xlbizops.udfs", "SUPPLIER_RISK", Array(table, weights, directions))
        Exit Function
    #End If
failed:
    SUPPLIER_RISK = Err.Description
End Function

Function XYZ_CLASS(items, demand_history, Optional x_cv, Optional y_cv)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        XYZ_CLASS = XLPy.CallUDF("xlbizops.udfs", "XYZ_CLASS", Array(items, demand_history, x_cv, y_cv), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        XYZ_CLASS = XLPy.CallUDF("xlbizops.udfs", "XYZ_CLASS", Array(items, demand_history, x_cv, y_cv))
        Exit Function
    #End If
failed:
    XYZ_CLASS = Err.Description
End Function

