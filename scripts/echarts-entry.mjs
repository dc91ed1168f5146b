// The ECharts build Huhang ships (static/vendor/echarts/echarts.min.js, made by scripts/vendor.sh with
// esbuild): only the charts and components /stats draws, on the canvas renderer, as window.echarts.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, MapChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, MapChart, GridComponent, LegendComponent, TooltipComponent,
  VisualMapComponent, CanvasRenderer]);

window.echarts = echarts;
